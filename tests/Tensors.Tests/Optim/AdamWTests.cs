using Reasoner.Tensors.Optim;

namespace Reasoner.Tensors.Tests.Optim;

public class AdamWTests
{
    [Fact]
    public void Three_steps_follow_the_torch_formula()
    {
        var config = new AdamWConfig(0.9f, 0.95f, 1e-8f, 0.1f);
        float[] p = [0.5f, -1, 2], m = new float[3], v = new float[3];
        double[] pd = [0.5, -1, 2], md = new double[3], vd = new double[3];
        using var pool = new WorkerPool(1);
        float[][] gradients = [[0.1f, -0.2f, 0.3f], [0.05f, 0.1f, -0.4f], [1, 0, -1]];
        for (int step = 1; step <= 3; step++)
        {
            var g = gradients[step - 1];
            const double lr = 0.01;
            AdamW.Step(pool, p, g, m, v, step, (float)lr, config, 0.1f);
            for (int i = 0; i < 3; i++)
            {
                pd[i] *= 1 - lr * 0.1;
                md[i] = 0.9 * md[i] + 0.1 * g[i];
                vd[i] = 0.95 * vd[i] + 0.05 * g[i] * g[i];
                pd[i] -= lr * (md[i] / (1 - Math.Pow(0.9, step))) / (Math.Sqrt(vd[i] / (1 - Math.Pow(0.95, step))) + 1e-8);
            }
        }
        GradCheck.AssertClose(pd, p, 1e-5, 1e-7, "parameters");
    }

    [Fact]
    public void Every_length_0_to_100_and_two_blocks_follow_the_torch_formula_at_every_element()
    {
        // The vector body and the scalar tail must give the same update: lengths hit every tail, 40,000 two blocks.
        var config = new AdamWConfig(0.9f, 0.999f, 1e-8f, 0.1f);
        using var pool = new WorkerPool(2);
        foreach (int n in Enumerable.Range(0, 101).Append(40_000))
        {
            var random = new Random(n);
            var (p, g) = (GradCheck.RandomFloats(random, n), GradCheck.RandomFloats(random, n, 0.1));
            var (m, v) = (GradCheck.RandomFloats(random, n, 0.01), GradCheck.RandomFloats(random, n, 0.001).Select(MathF.Abs).ToArray());
            const int step = 7;
            const double lr = 3e-3;
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                double mi = 0.9 * m[i] + 0.1 * g[i], vi = 0.999 * v[i] + 0.001 * g[i] * (double)g[i];
                expected[i] = p[i] * (1 - lr * 0.1) - lr * (mi / (1 - Math.Pow(0.9, step))) / (Math.Sqrt(vi / (1 - Math.Pow(0.999, step))) + 1e-8);
            }
            AdamW.Step(pool, p, g, m, v, step, (float)lr, config, 0.1f);
            GradCheck.AssertClose(expected, p, 1e-5, 1e-6, $"parameters n={n}");
        }
    }

    [Fact]
    public void Zero_weight_decay_leaves_a_parameter_with_zero_gradient_unchanged()
    {
        float[] p = [3], m = new float[1], v = new float[1];
        using var pool = new WorkerPool(1);
        AdamW.Step(pool, p, [0f], m, v, 1, 0.1f, new AdamWConfig(), 0f);
        Assert.Equal(3f, p[0]);
    }
}
