namespace Reasoner.Tensors.Tests;

/// <summary>Central finite differences of a double-precision reference, compared with a float kernel's analytic gradient.</summary>
internal static class GradCheck
{
    public static float[] RandomFloats(Random random, int n, double scale = 1) =>
        Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();

    /// <summary>d f / d x_i by central differences, in double, around the float values of x.</summary>
    public static double[] Numeric(Func<double[], double> f, float[] x, double step = 1e-6)
    {
        var point = x.Select(v => (double)v).ToArray();
        var gradient = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double saved = point[i];
            point[i] = saved + step;
            double plus = f(point);
            point[i] = saved - step;
            double minus = f(point);
            point[i] = saved;
            gradient[i] = (plus - minus) / (2 * step);
        }
        return gradient;
    }

    /// <summary>Every component within atol + rtol * |expected|, naming the first one that is not.</summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double rtol = 1e-3, double atol = 1e-5, string what = "gradient")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > atol + rtol * Math.Abs(expected[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:G9}, got {actual[i]:G9}");
    }

    public static double[] ToDouble(float[] x) => x.Select(v => (double)v).ToArray();

    /// <summary>sum_i y_i g_i: projecting an output on fixed random weights turns any layer into a scalar loss.</summary>
    public static double Project(double[] y, float[] g)
    {
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += y[i] * g[i];
        return sum;
    }
}
