using Reasoner.Tensors.Kernels;

namespace Reasoner.Tensors.Tests.Kernels;

public class SoftmaxTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(257)]
    public void Probabilities_sum_to_one_and_match_the_reference_even_for_huge_logits(int n)
    {
        var random = new Random(n);
        var logits = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 200 - 100) + 1e4f).ToArray();
        var probs = new float[n];
        Softmax.Forward(logits, probs);
        Assert.Equal(1.0, probs.Sum(p => (double)p), 1e-5);
        GradCheck.AssertClose(Reference.Softmax(GradCheck.ToDouble(logits)), probs, 1e-3, 1e-6, "probs");
        double max = logits.Max();
        Assert.Equal(max + Math.Log(logits.Sum(v => Math.Exp(v - max))), Softmax.LogSumExp(logits), 1e-2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void Scaled_in_place_rows_of_every_length_0_to_256_match_the_reference(bool wide)
    {
        var random = new Random(wide ? 1 : 2);
        for (int n = 1; n <= 256; n++)
        {
            float scale = 0.05f + (float)random.NextDouble();
            var row = Enumerable.Range(0, n + 1).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray();
            float sentinel = row[n];
            var expected = Reference.Softmax(row.Take(n).Select(v => (double)v * scale).ToArray());
            fixed (float* r = row) Softmax.ScaledInPlace(r, n, scale, wide);
            GradCheck.AssertClose(expected, row.AsSpan(0, n), 1e-5, 1e-7, $"n={n} wide={wide}");
            Assert.Equal(sentinel, row[n]); // nothing past the row is touched
        }
    }

    [Fact]
    public void Log_sum_exp_of_every_length_1_to_1100_matches_the_double_reference()
    {
        // Lengths cross the vector tail and the 512-term float partial sums.
        var random = new Random(4);
        for (int n = 1; n <= 1100; n++)
        {
            var logits = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 40 - 20) + 300f).ToArray();
            double max = logits.Max();
            double expected = max + Math.Log(logits.Sum(v => Math.Exp(v - max)));
            Assert.Equal(expected, Softmax.LogSumExp(logits), Math.Abs(expected) * 1e-6);
        }
    }
}
