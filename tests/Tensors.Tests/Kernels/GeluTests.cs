using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class GeluTests
{
    public static TheoryData<bool> Widths => new() { true, false };

    [Theory]
    [MemberData(nameof(Widths))]
    public void Forward_and_backward_match_the_double_reference_at_every_length(bool wide)
    {
        // Every length 0..256 hits each vector tail; 20,000 spans three parallel blocks.
        using var pool = new WorkerPool(2);
        foreach (int n in Enumerable.Range(0, 257).Append(20_000))
        {
            var random = new Random(n);
            var (x, g) = (RandomFloats(random, n, 4), RandomFloats(random, n));
            var y = new float[n + 1];
            y[n] = 7f; // past the end: must stay untouched
            Gelu.Forward(pool, y, x, wide);
            AssertClose(x.Select(v => Reference.Gelu(v)).ToArray(), y.AsSpan(0, n), 1e-5, 1e-6, $"output n={n} wide={wide}");
            Assert.Equal(7f, y[n]);
            var dx = Enumerable.Repeat(0.5f, n).ToArray();
            Gelu.Backward(pool, dx, g, x, wide);
            // Elementwise: the derivative of sum_i gelu(x_i) g_i in x_i is gelu'(x_i) g_i, one central difference each.
            var expected = x.Select((v, i) => 0.5 + (Reference.Gelu(v + 1e-6) - Reference.Gelu(v - 1e-6)) / 2e-6 * g[i]).ToArray();
            AssertClose(expected, dx, 1e-4, 1e-5, $"dx n={n} wide={wide}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Large_inputs_saturate_to_the_identity_and_to_zero(bool wide)
    {
        float[] x = [-1000f, -100f, -30f, -10f, 10f, 30f, 100f, 1000f, -5f, 5f, 0f, -0.001f, 0.001f, -3f, 3f, 1f];
        using var pool = new WorkerPool(1);
        var y = new float[x.Length];
        Gelu.Forward(pool, y, x, wide);
        AssertClose(x.Select(v => Reference.Gelu(v)).ToArray(), y, 1e-5, 1e-7, "output");
        var dx = new float[x.Length];
        Gelu.Backward(pool, dx, Enumerable.Repeat(1f, x.Length).ToArray(), x, wide);
        Assert.All(dx, d => Assert.True(float.IsFinite(d), "gelu' must stay finite"));
        Assert.Equal(0f, dx[0], 1e-6f);
        Assert.Equal(1f, dx[7], 1e-6f);
    }
}
