using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Tensors.Tests.Kernels;

public class MatmulTests
{
    // The spec: naive triple loops in double precision, one per product.
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

    // dInput (R,C) = start + dOutput (R,OC) @ weight (OC,C)
    private static double[] NaiveInputGradient(float[] start, float[] dy, float[] w, int rows, int c, int oc)
    {
        var dx = start.Select(v => (double)v).ToArray();
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < oc; o++)
            {
                double g = dy[r * oc + o];
                for (int i = 0; i < c; i++) dx[r * c + i] += g * w[o * c + i];
            }
        return dx;
    }

    // dWeight (OC,C) = start + dOutput^T @ input; dBias (OC) = start + column sums of dOutput
    private static (double[] Weight, double[] Bias) NaiveWeightGradient(float[] startWeight, float[] startBias, float[] dy, float[] x, int rows, int c, int oc)
    {
        var dw = startWeight.Select(v => (double)v).ToArray();
        var db = startBias.Select(v => (double)v).ToArray();
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < oc; o++)
            {
                double g = dy[r * oc + o];
                db[o] += g;
                for (int i = 0; i < c; i++) dw[o * c + i] += g * x[r * c + i];
            }
        return (dw, db);
    }

    private static float[] Random(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static void AssertClose(double[] expected, float[] actual, int sumLength, string what)
    {
        // Inputs lie in [-1, 1]: a float sum of n products is off by ~sqrt(n) ulps of its magnitude.
        double tolerance = 2e-5 * Math.Sqrt(sumLength) + 1e-6 * sumLength * 0.1;
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > tolerance * Math.Max(1, Math.Abs(expected[i])))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
    }

    /// <summary>Runs all three products through the kernels and checks each against the naive product.</summary>
    private static void CheckAllProducts(WorkerPool pool, int rows, int c, int oc, bool withBias, bool wide)
    {
        var random = new Random(rows * 7919 + c * 104729 + oc);
        var (x, w, b, dy) = (Random(random, rows * c), Random(random, oc * c), withBias ? Random(random, oc) : null, Random(random, rows * oc));
        string shape = $"R={rows} C={c} OC={oc} bias={withBias} wide={wide} threads={pool.Threads}";

        var y = Enumerable.Repeat(float.NaN, rows * oc).ToArray(); // forward overwrites, whatever was there
        Matmul.Forward(pool, y, x, w, b, rows, c, oc, wide);
        var expected = NaiveForward(x, w, b, rows, c, oc);
        AssertClose(expected, y, c, "forward " + shape);
        if (c > 0)
        {
            // The same product from the weight packed once, as decoders multiply.
            var packed = new PackedWeight(pool, w, c, oc, wide);
            Array.Fill(y, float.NaN);
            Matmul.Forward(pool, y, x, w, b, rows, c, oc, wide, packed);
            AssertClose(expected, y, c, "forward from the packed weight " + shape);
        }

        // Backward accumulates onto existing values.
        var (dx, dw, db) = (Random(random, rows * c), Random(random, oc * c), Random(random, oc));
        var expectedInput = NaiveInputGradient(dx, dy, w, rows, c, oc);
        var (expectedWeight, expectedBias) = NaiveWeightGradient(dw, db, dy, x, rows, c, oc);
        Matmul.Backward(pool, dx, dw, withBias ? db : default, dy, x, w, rows, c, oc, wide);
        AssertClose(expectedInput, dx, oc, "dInput " + shape);
        AssertClose(expectedWeight, dw, rows, "dWeight " + shape);
        if (withBias) AssertClose(expectedBias, db, rows, "dBias " + shape);
    }

    public static TheoryData<int, bool> SweepSetups => new() { { 1, true }, { 2, true }, { 1, false }, { 2, false } };

    [Theory]
    [MemberData(nameof(SweepSetups))]
    public void Every_size_from_1_to_70_in_each_dimension_matches_the_naive_products(int threads, bool wide)
    {
        // Each dimension takes every size 1..70 while the other two vary, so every tail of the 6-row strips,
        // the 16/32-column panels, the 4x4 decode tiles and the 16-wide K vectors is hit with each product.
        using var pool = new WorkerPool(threads);
        for (int s = 1; s <= 70; s++)
        {
            int other1 = 1 + s * 37 % 70, other2 = 1 + s * 53 % 70;
            CheckAllProducts(pool, s, other1, other2, withBias: s % 2 == 0, wide);
            CheckAllProducts(pool, other1, s, other2, withBias: s % 2 == 1, wide);
            CheckAllProducts(pool, other2, other1, s, withBias: s % 2 == 0, wide);
        }
    }

    [Theory]
    [InlineData(257, 1023, 511, 2, true)]  // crosses the K (256), M (144) and, for dInput, N (512) blocks
    [InlineData(257, 1023, 511, 1, false)]
    [InlineData(300, 70, 1100, 2, true)]   // N split across threads with an uneven last panel
    [InlineData(300, 70, 1100, 2, false)]  // dW's A (dOutput^T, stride 1100) packed into 6-row strips
    [InlineData(4, 200, 1030, 2, true)]    // the decode path at its largest row count
    [InlineData(5, 200, 1030, 2, true)]    // the packed path just above it
    [InlineData(64, 256, 768, 2, true)]
    [InlineData(600, 300, 200, 2, true)]   // blocks of rows sharing one packed weight, K and N ragged
    [InlineData(600, 300, 200, 2, false)]
    [InlineData(5, 0, 3, 2, true)]         // no inputs: the output is the bias
    [InlineData(20, 0, 3, 2, false)]
    public void Large_and_decode_shapes_match_the_naive_products(int rows, int c, int oc, int threads, bool wide)
    {
        using var pool = new WorkerPool(threads);
        CheckAllProducts(pool, rows, c, oc, withBias: true, wide);
    }

    [Fact]
    public void A_packed_weight_of_another_shape_is_refused_and_one_of_another_width_left_unused()
    {
        using var pool = new WorkerPool(1);
        var random = new Random(5);
        var (x, w) = (Random(random, 9 * 40), Random(random, 24 * 40));
        var error = Assert.Throws<ArgumentException>(() => Matmul.Forward(pool, new float[9 * 24], x, w, default, 9, 40, 24,
            new PackedWeight(pool, Random(random, 24 * 39), 39, 24)));
        Assert.Contains("(24,39)", error.Message);
        // Packed for the other vector width: the product packs the weight itself and is still right.
        var y = new float[9 * 24];
        Matmul.Forward(pool, y, x, w, default, 9, 40, 24, wide: false, new PackedWeight(pool, w, 40, 24, wide: true));
        AssertClose(NaiveForward(x, w, null, 9, 40, 24), y, 40, "forward with a packed weight of the other width");
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
    public void Empty_input_gradient_leaves_only_the_weight_gradient()
    {
        const int rows = 5, c = 3, oc = 2;
        var random = new Random(5);
        var (x, w, g) = (Random(random, rows * c), Random(random, oc * c), Random(random, rows * oc));
        using var pool = new WorkerPool(1);
        var dw = new float[oc * c];
        Matmul.Backward(pool, default, dw, default, g, x, w, rows, c, oc);
        AssertClose(NaiveWeightGradient(new float[oc * c], new float[oc], g, x, rows, c, oc).Weight, dw, rows, "dWeight");
    }

    [Fact]
    public void Mis_sized_buffers_are_refused_with_their_name()
    {
        using var pool = new WorkerPool(1);
        var error = Assert.Throws<ArgumentException>(() => Matmul.Forward(pool, new float[5], new float[6], new float[6], default, 2, 3, 2));
        Assert.Equal("output", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => Matmul.Backward(pool, new float[6], new float[5], default, new float[4], new float[6], new float[6], 2, 3, 2));
        Assert.Equal("dWeight", error.ParamName);
    }
}

/// <summary>Runs alone: GC.GetTotalAllocatedBytes counts every thread of the process.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public class AllocationCollection;

[Collection(nameof(AllocationCollection))]
public class MatmulAllocationTests
{
    [Fact]
    public void Warm_forward_and_backward_allocate_nothing()
    {
        using var pool = new WorkerPool(2);
        var shapes = new[] { (rows: 4, c: 64, oc: 96), (rows: 64, c: 128, oc: 384), (rows: 300, c: 300, oc: 600), (rows: 600, c: 300, oc: 200) }; // dot, transposed, packed, shared
        var buffers = shapes.Select(s => (s, x: new float[s.rows * s.c], w: new float[s.oc * s.c], b: new float[s.oc],
            y: new float[s.rows * s.oc], dx: new float[s.rows * s.c], dw: new float[s.oc * s.c], db: new float[s.oc])).ToArray();
        void Step()
        {
            foreach (var (s, x, w, b, y, dx, dw, db) in buffers)
            {
                Matmul.Forward(pool, y, x, w, b, s.rows, s.c, s.oc);
                Matmul.Backward(pool, dx, dw, db, y, x, w, s.rows, s.c, s.oc);
            }
        }
        for (int i = 0; i < 5; i++) Step(); // warm: JIT tiers, per-thread packing space

        // Another thread of the test runner may allocate meanwhile: one clean window out of a few is the proof.
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 5 && fewest != 0; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 3; i++) Step();
            fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.Equal(0, fewest);
    }
}
