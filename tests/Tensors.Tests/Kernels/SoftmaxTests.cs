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
}
