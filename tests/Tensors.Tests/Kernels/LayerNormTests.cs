using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class LayerNormTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Forward_matches_the_double_reference_and_backward_matches_finite_differences(int threads)
    {
        const int rows = 5, c = 7;
        var random = new Random(2);
        var (x, w, b, g) = (RandomFloats(random, rows * c, 2), RandomFloats(random, c), RandomFloats(random, c), RandomFloats(random, rows * c));
        using var pool = new WorkerPool(threads);
        var (y, mean, rstd) = (new float[rows * c], new float[rows], new float[rows]);
        LayerNorm.Forward(pool, y, mean, rstd, x, w, b, rows, c);
        AssertClose(Reference.LayerNorm(ToDouble(x), ToDouble(w), ToDouble(b), rows, c), y, 1e-5, 1e-5, "output");

        var (dx, dw, db) = (new float[x.Length], new float[c], new float[c]);
        LayerNorm.Backward(pool, dx, dw, db, g, x, w, mean, rstd, rows, c);
        AssertClose(Numeric(v => Project(Reference.LayerNorm(v, ToDouble(w), ToDouble(b), rows, c), g), x), dx, 1e-3, 1e-4, "dx");
        AssertClose(Numeric(v => Project(Reference.LayerNorm(ToDouble(x), v, ToDouble(b), rows, c), g), w), dw, 1e-3, 1e-4, "dw");
        AssertClose(Numeric(v => Project(Reference.LayerNorm(ToDouble(x), ToDouble(w), v, rows, c), g), b), db, 1e-3, 1e-4, "db");
    }
}
