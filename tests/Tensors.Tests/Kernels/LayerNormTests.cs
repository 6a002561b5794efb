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

    [Fact]
    public void Backward_at_every_width_1_to_150_adds_the_analytic_gradients_the_same_at_1_and_2_threads()
    {
        // Widths cross the 8-float vectors and the 64-column blocks of the dw/db pass; gradients add to what was there.
        using var one = new WorkerPool(1);
        using var two = new WorkerPool(2);
        for (int c = 1; c <= 150; c++)
        {
            int rows = 1 + c % 9;
            var random = new Random(c);
            var (x, w, b, g) = (RandomFloats(random, rows * c, 2), RandomFloats(random, c), RandomFloats(random, c), RandomFloats(random, rows * c));
            var (y, mean, rstd) = (new float[rows * c], new float[rows], new float[rows]);
            LayerNorm.Forward(one, y, mean, rstd, x, w, b, rows, c);
            var (dx, dw, db) = (Enumerable.Repeat(0.25f, rows * c).ToArray(), Enumerable.Repeat(-1f, c).ToArray(), Enumerable.Repeat(2f, c).ToArray());
            var (dx2, dw2, db2) = ((float[])dx.Clone(), (float[])dw.Clone(), (float[])db.Clone());
            LayerNorm.Backward(one, dx, dw, db, g, x, w, mean, rstd, rows, c);
            LayerNorm.Backward(two, dx2, dw2, db2, g, x, w, mean, rstd, rows, c);
            var (expectedX, expectedW, expectedB) = NaiveBackward(x, w, g, rows, c);
            AssertClose(expectedX.Select(v => v + 0.25).ToArray(), dx, 1e-4, 1e-5, $"dx C={c}");
            AssertClose(expectedW.Select(v => v - 1).ToArray(), dw, 1e-4, 1e-5, $"dw C={c}");
            AssertClose(expectedB.Select(v => v + 2).ToArray(), db, 1e-4, 1e-5, $"db C={c}");
            Assert.Equal(dx, dx2);
            Assert.Equal(dw, dw2);
            Assert.Equal(db, db2);
        }
    }

    /// <summary>The backward written out in double, row by row: the spec of the vectorised kernel.</summary>
    private static (double[] Dx, double[] Dw, double[] Db) NaiveBackward(float[] x, float[] w, float[] g, int rows, int c)
    {
        var (dx, dw, db) = (new double[rows * c], new double[c], new double[c]);
        for (int n = 0; n < rows; n++)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < c; i++) mean += x[n * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) variance += (x[n * c + i] - mean) * (x[n * c + i] - mean);
            double rstd = 1 / Math.Sqrt(variance / c + 1e-5), dnormMean = 0, dnormNormMean = 0;
            for (int i = 0; i < c; i++)
            {
                double norm = (x[n * c + i] - mean) * rstd, dnorm = w[i] * (double)g[n * c + i];
                dnormMean += dnorm / c;
                dnormNormMean += dnorm * norm / c;
                dw[i] += norm * g[n * c + i];
                db[i] += g[n * c + i];
            }
            for (int i = 0; i < c; i++)
            {
                double norm = (x[n * c + i] - mean) * rstd;
                dx[n * c + i] = rstd * (w[i] * (double)g[n * c + i] - dnormMean - norm * dnormNormMean);
            }
        }
        return (dx, dw, db);
    }
}
