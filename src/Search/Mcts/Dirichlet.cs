namespace Reasoner.Search.Mcts;

/// <summary>Dirichlet noise for the MCTS root, from a seeded generator.</summary>
internal static class Dirichlet
{
    /// <summary>A sample of Dirichlet(alpha, ..., alpha) over <paramref name="count"/> components.</summary>
    public static float[] Sample(int count, double alpha, Random random)
    {
        var x = new double[count];
        double sum = 0;
        for (var i = 0; i < count; i++) sum += x[i] = Gamma(alpha, random);
        var noise = new float[count];
        for (var i = 0; i < count; i++) noise[i] = sum > 0 ? (float)(x[i] / sum) : 1f / count;
        return noise;
    }

    /// <summary>
    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); for shape &lt; 1, Gamma(shape + 1) * U^(1/shape), since
    /// AlphaZero's alphas (0.03 to 0.3) are all below 1.
    /// </summary>
    public static double Gamma(double shape, Random random)
    {
        if (shape <= 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Gamma shape must be positive, not {shape}.");
        if (shape < 1) return Gamma(shape + 1, random) * Math.Pow(Uniform(random), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do { x = Normal(random); v = 1 + c * x; } while (v <= 0);
            v = v * v * v;
            var u = Uniform(random);
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>Uniform on (0, 1): never 0, so logs and powers stay finite.</summary>
    static double Uniform(Random random)
    {
        var u = random.NextDouble();
        while (u <= 0) u = random.NextDouble();
        return u;
    }

    /// <summary>Standard normal by Box-Muller.</summary>
    static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(Uniform(random))) * Math.Cos(2 * Math.PI * random.NextDouble());
}
