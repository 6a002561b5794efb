using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Tensors.Tests.Kernels;

public class MatmulTests
{
    // The spec: a naive triple loop in double precision.
    private static double[] NaiveForward(float[] x, float[] w, float[]? b, int rows, int c, int oc)
    {
        var y = new double[rows * oc];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < oc; o++)
            {
                double sum = b?[o] ?? 0;
                for (int i = 0; i < c; i++) sum += (double)x[r * c + i] * w[o * c + i];
                y[r * oc + o] = sum;
            }
        return y;
    }

    private static float[] Random(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(33, 65, 17, 2)]
    [InlineData(64, 128, 96, 1)]
    public void Forward_matches_naive_product(int rows, int c, int oc, int threads)
    {
        var random = new Random(rows * 1000 + c);
        var (x, w, b) = (Random(random, rows * c), Random(random, oc * c), Random(random, oc));
        using var pool = new WorkerPool(threads);
        var y = new float[rows * oc];
        Matmul.Forward(pool, y, x, w, b, rows, c, oc);
        var expected = NaiveForward(x, w, b, rows, c, oc);
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y[i], 1e-4 * Math.Sqrt(c));
    }

    [Fact]
    public void Backward_accumulates_the_gradients_of_a_dot_loss()
    {
        // loss = sum(y * g) with y = x W^T + b, so dx = g W, dW = g^T x, db = column sums of g.
        const int rows = 9, c = 6, oc = 4;
        var random = new Random(3);
        var (x, w, g) = (Random(random, rows * c), Random(random, oc * c), Random(random, rows * oc));
        using var pool = new WorkerPool(2);
        var (dx, dw, db) = (Enumerable.Repeat(1f, rows * c).ToArray(), new float[oc * c], new float[oc]);
        Matmul.Backward(pool, dx, dw, db, g, x, w, rows, c, oc);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < c; i++)
            {
                double expected = 1; // accumulated onto the existing 1
                for (int o = 0; o < oc; o++) expected += (double)g[r * oc + o] * w[o * c + i];
                Assert.Equal(expected, dx[r * c + i], 1e-5);
            }
        for (int o = 0; o < oc; o++)
        {
            double bias = 0;
            for (int r = 0; r < rows; r++) bias += g[r * oc + o];
            Assert.Equal(bias, db[o], 1e-5);
            for (int i = 0; i < c; i++)
            {
                double expected = 0;
                for (int r = 0; r < rows; r++) expected += (double)g[r * oc + o] * x[r * c + i];
                Assert.Equal(expected, dw[o * c + i], 1e-5);
            }
        }
    }

    [Fact]
    public void Mis_sized_buffers_are_refused_with_their_name()
    {
        using var pool = new WorkerPool(1);
        var error = Assert.Throws<ArgumentException>(() => Matmul.Forward(pool, new float[5], new float[6], new float[6], default, 2, 3, 2));
        Assert.Equal("output", error.ParamName);
    }
}
