using System.Runtime.Intrinsics;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Tensors.Tests.Kernels;

public class ExponentialTests
{
    [Fact]
    public void Both_widths_are_within_2_ulp_of_exp_over_the_whole_range()
    {
        // Every 1/1000 from -87 to 88 plus the reduction's boundaries, n ln2 +- ln2/2, where the error is largest.
        var xs = Enumerable.Range(0, 175_001).Select(i => -87f + i * 0.001f)
            .Concat(Enumerable.Range(-125, 252).SelectMany(n => new[] { (n + 0.5f) * MathF.Log(2), (n - 0.4999f) * MathF.Log(2) }))
            .Where(x => x is >= -87f and <= 88f).ToArray();
        for (int i = 0; i + 16 <= xs.Length; i += 16)
        {
            var wide = Exponential.Of(Vector512.Create(xs, i));
            var narrow = Exponential.Of(Vector256.Create(xs, i));
            for (int j = 0; j < 16; j++)
            {
                double expected = Math.Exp(xs[i + j]);
                double ulp = MathF.BitIncrement((float)expected) - (float)expected;
                Assert.True(Math.Abs(wide[j] - expected) <= 2 * ulp, $"exp({xs[i + j]:R}) = {wide[j]:R}, expected {expected:R}");
                if (j < 8) Assert.True(Math.Abs(narrow[j] - expected) <= 2 * ulp, $"256: exp({xs[i + j]:R}) = {narrow[j]:R}, expected {expected:R}");
            }
        }
    }

    [Fact]
    public void Out_of_range_inputs_clamp_to_finite_extremes_and_nan_stays_nan()
    {
        var x = Vector512.Create([float.NegativeInfinity, -1000f, -87.5f, 88.5f, 1000f, float.PositiveInfinity, float.NaN, 0f,
            1f, -1f, 0.5f, -0.5f, 10f, -10f, 50f, -50f]);
        var y = Exponential.Of(x);
        Assert.Equal(MathF.Exp(-87f), y[0], 1e-43f);
        Assert.Equal(MathF.Exp(-87f), y[1], 1e-43f);
        Assert.True(y[4] is > 1e38f and < float.PositiveInfinity);
        Assert.True(y[5] is > 1e38f and < float.PositiveInfinity);
        Assert.True(float.IsNaN(y[6]));
        Assert.Equal(1f, y[7]);
        Assert.True(float.IsNaN(Exponential.Of(Vector256.Create(float.NaN))[3]));
    }
}
