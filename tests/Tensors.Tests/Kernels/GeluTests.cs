using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class GeluTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(257)]
    [InlineData(9000)] // more than one parallel block
    public void Forward_and_backward_match_the_double_reference_at_every_length(int n)
    {
        var random = new Random(n);
        var (x, g) = (RandomFloats(random, n, 4), RandomFloats(random, n));
        using var pool = new WorkerPool(2);
        var y = new float[n];
        Gelu.Forward(pool, y, x);
        AssertClose(x.Select(v => Reference.Gelu(v)).ToArray(), y, 1e-5, 1e-6, "output");
        var dx = Enumerable.Repeat(0.5f, n).ToArray();
        Gelu.Backward(pool, dx, g, x);
        // Elementwise: the derivative of sum_i gelu(x_i) g_i in x_i is gelu'(x_i) g_i, one central difference each.
        var expected = x.Select((v, i) => 0.5 + (Reference.Gelu(v + 1e-6) - Reference.Gelu(v - 1e-6)) / 2e-6 * g[i]).ToArray();
        AssertClose(expected, dx, 1e-4, 1e-5, "dx");
    }
}
