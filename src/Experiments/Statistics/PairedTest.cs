namespace Reasoner.Experiments.Statistics;

/// <summary>
/// Two methods compared on the same problems, each problem counted once however many seeds or samples its score
/// averages. Scores are per problem in [0, 1] (solved or not, or the mean over seeds); the test is two-sided on the
/// per-problem differences, first minus second.
/// <list type="bullet">
/// <item>Every score 0 or 1 (one seed, or seeds that agree on every problem): the exact McNemar test, whose discordant
/// problems are <see cref="OnlyFirst"/> and <see cref="OnlySecond"/>.</item>
/// <item>Otherwise a sign-flip permutation test (Fisher's randomisation test for paired differences): under H0 each
/// problem's difference is as likely negated, so p is the share of random sign patterns whose |sum of differences|
/// reaches the observed one, counted as (1 + hits) / (1 + draws) so that it is never 0 (Phipson and Smyth 2010).
/// On 0/1 differences this is the McNemar test, which the first case computes exactly.</item>
/// </list>
/// </summary>
/// <param name="Problems">Problems scored by both methods.</param>
/// <param name="MeanDifference">Mean over problems of first minus second: the accuracy difference.</param>
/// <param name="OnlyFirst">Problems only the first solved, when the test is McNemar's; null otherwise.</param>
/// <param name="OnlySecond">Problems only the second solved, when the test is McNemar's; null otherwise.</param>
public sealed record PairedTest(int Problems, double MeanDifference, int? OnlyFirst, int? OnlySecond, double PValue)
{
    /// <summary>Sign patterns drawn by the permutation test: its p-value is then within about 0.003 of the exact one at p = 0.05.</summary>
    public const int SignFlips = 20_000;

    public bool IsMcNemar => OnlyFirst is not null;

    /// <summary>
    /// Tests <paramref name="first"/> against <paramref name="second"/>, scores of the same problems in the same order.
    /// The permutation test draws its signs from a generator seeded with <paramref name="seed"/>, so a report rebuilds
    /// with the same p-values.
    /// </summary>
    public static PairedTest Of(IReadOnlyList<double> first, IReadOnlyList<double> second, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
        {
            throw new ArgumentException($"paired scores need the same problems: {first.Count} against {second.Count}", nameof(second));
        }
        int n = first.Count;
        var differences = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(first[i] is >= 0 and <= 1) || !(second[i] is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(first), $"problem {i}: scores must lie in [0, 1], not {first[i]} and {second[i]}");
            }
            differences[i] = first[i] - second[i];
        }
        double mean = n == 0 ? 0 : differences.Average();
        if (first.Concat(second).All(s => s is 0 or 1))
        {
            int onlyFirst = differences.Count(d => d > 0), onlySecond = differences.Count(d => d < 0);
            return new PairedTest(n, mean, onlyFirst, onlySecond, Proportions.McNemarExact(onlyFirst, onlySecond));
        }
        return new PairedTest(n, mean, null, null, SignFlipPValue(differences, new Random(seed), SignFlips));
    }

    /// <summary>
    /// Monte Carlo sign-flip p-value of paired differences (two-sided, on their sum); the generator is consumed.
    /// Zero differences flip to themselves, so only the others matter; none at all is no evidence: p = 1.
    /// </summary>
    internal static double SignFlipPValue(IReadOnlyList<double> differences, Random random, int draws)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var nonZero = differences.Where(d => d != 0).ToArray();
        if (nonZero.Length == 0)
        {
            return 1;
        }
        double observed = Math.Abs(nonZero.Sum());
        // Sums equal to the observed one up to rounding must count as hits, or ties would lower p.
        double tolerance = 1e-9 * nonZero.Sum(Math.Abs);
        int hits = 0;
        for (int draw = 0; draw < draws; draw++)
        {
            double sum = 0;
            ulong bits = 0;
            for (int i = 0; i < nonZero.Length; i++)
            {
                if (i % 64 == 0)
                {
                    bits = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
                }
                sum += (bits & 1) == 0 ? nonZero[i] : -nonZero[i];
                bits >>= 1;
            }
            if (Math.Abs(sum) >= observed - tolerance)
            {
                hits++;
            }
        }
        return (1.0 + hits) / (1.0 + draws);
    }
}
