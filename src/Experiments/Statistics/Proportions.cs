using MathNet.Numerics.Distributions;

namespace Reasoner.Experiments.Statistics;

/// <summary>A confidence interval [Low, High] around a point estimate.</summary>
public readonly record struct Interval(double Estimate, double Low, double High);

/// <summary>
/// Intervals and exact tests for accuracies (k correct of n problems). Accuracies here are proportions over a few
/// hundred held-out problems at most, so we use small-sample methods: Wilson intervals (good coverage near 0 and 1,
/// unlike the normal approximation) and exact binomial tests.
/// </summary>
public static class Proportions
{
    /// <summary>z for a two-sided 95% interval: the 0.975 quantile of the standard normal.</summary>
    public static readonly double Z95 = Normal.InvCDF(0, 1, 0.975);

    /// <summary>
    /// Wilson score interval for k successes in n trials (Wilson 1927). n = 0 carries no information: the interval is
    /// the whole [0, 1] with estimate 0, so a method that solved nothing is never shown as certain.
    /// </summary>
    public static Interval Wilson(int k, int n, double z = double.NaN)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (k < 0 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"successes must lie in [0, {n}]");
        }
        if (double.IsNaN(z))
        {
            z = Z95;
        }
        if (n == 0)
        {
            return new Interval(0, 0, 1);
        }
        return WilsonAt((double)k / n, n, z);
    }

    /// <summary>
    /// The Wilson interval of a mean accuracy over problems whose scores are themselves means in [0, 1] (a problem
    /// searched under several seeds, or maj@k averaged over k-subsets of its samples), counting each problem once. It is
    /// the Wilson interval at the effective number of trials n_eff = p(1 - p) / Var (Kish's design effect, as Korn and
    /// Graubard 1998 apply it to clustered proportions), where Var = sum (m_i - p)^2 / n^2 is the variance of the mean p
    /// of the n problem scores m_i, so problems, not searches, are the sample:
    /// <list type="bullet">
    /// <item>scores all 0 or 1 (one seed, or seeds that agree on every problem): n_eff = n, exactly <see cref="Wilson(int, int, double)"/> of the problems solved;</item>
    /// <item>scores that vary within problems narrow the interval, up to n_eff = <paramref name="trials"/>, the independent
    /// trials behind the scores (problems x seeds), reached only when problems do not differ in difficulty.</item>
    /// </list>
    /// Without problems the interval is the whole [0, 1], as for Wilson(0, 0).
    /// </summary>
    public static Interval WilsonOverProblems(IReadOnlyList<double> scores, long trials, double z = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int n = scores.Count;
        if (scores.Any(s => !(s >= 0 && s <= 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(scores), "problem scores must lie in [0, 1]");
        }
        if (trials < n)
        {
            throw new ArgumentOutOfRangeException(nameof(trials), trials, $"{n} problems need at least as many trials");
        }
        if (double.IsNaN(z))
        {
            z = Z95;
        }
        if (n == 0)
        {
            return new Interval(0, 0, 1);
        }
        double p = scores.Average();
        return WilsonAt(p, EffectiveTrials(scores, p, trials), z);
    }

    /// <summary>n_eff of <see cref="WilsonOverProblems"/>, within [n, trials].</summary>
    internal static double EffectiveTrials(IReadOnlyList<double> scores, double mean, long trials)
    {
        int n = scores.Count;
        // 0/1 scores are exactly n trials (the formula would give n up to rounding); so is an accuracy of 0 or 1, which
        // says nothing about how scores spread within problems.
        if (scores.All(s => s is 0 or 1) || mean is 0 or 1)
        {
            return n;
        }
        double variance = scores.Sum(s => (s - mean) * (s - mean)) / ((double)n * n);
        return variance > 0 ? Math.Clamp(mean * (1 - mean) / variance, n, trials) : trials;
    }

    /// <summary>Wilson's score interval for an observed proportion <paramref name="p"/> of <paramref name="n"/> trials.</summary>
    internal static Interval WilsonAt(double p, double n, double z)
    {
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // At p = 0 or p = 1 one bound is exactly 0 or 1; clamp away the rounding that would put it a hair outside.
        return new Interval(p, p == 0 ? 0 : Math.Max(0, center - half), p == 1 ? 1 : Math.Min(1, center + half));
    }

    /// <summary>
    /// Exact two-sided binomial test of H0: success probability = p, given k successes in n trials. The p-value sums
    /// the probabilities of every outcome no more likely than the observed one, with the same relative tolerance
    /// (1e-7) as R's binom.test, so the two agree.
    /// </summary>
    public static double BinomialTest(int k, int n, double p = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (k < 0 || k > n)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"successes must lie in [0, {n}]");
        }
        if (p is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "probability must lie in [0, 1]");
        }
        if (n == 0)
        {
            return 1;
        }
        double observed = Binomial.PMF(p, n, k);
        double threshold = observed * (1 + 1e-7);
        double total = 0;
        for (int i = 0; i <= n; i++)
        {
            double probability = Binomial.PMF(p, n, i);
            if (probability <= threshold)
            {
                total += probability;
            }
        }
        return Math.Min(1, total);
    }

    /// <summary>
    /// Exact McNemar test for paired binary outcomes (the same problems solved by two methods). Only the discordant
    /// pairs carry information: b = solved by the first method only, c = by the second only. Under H0 each discordant
    /// pair goes either way with probability 1/2, so the p-value is the two-sided binomial test of b in b + c.
    /// No discordant pairs (b + c = 0) is no evidence of a difference: p = 1.
    /// </summary>
    public static double McNemarExact(int b, int c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        return b + c == 0 ? 1 : BinomialTest(b, b + c, 0.5);
    }
}
