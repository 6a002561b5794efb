using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// One method's evaluation in one iteration, problem by problem: each problem's score is its mean over the seeds it was
/// searched with (and, for maj@k, best-of-k and pass@k, over k-subsets of its samples), so a problem counts once
/// however many searches it had. Intervals and paired tests are computed over these scores.
/// </summary>
/// <param name="Scores">Problem id to score in [0, 1].</param>
/// <param name="Seeds">The distinct seeds behind the scores.</param>
/// <param name="Trials">Independent trials behind the scores (problems x seeds, times k-sample blocks for sampling curves):
/// the most an interval may count (see <see cref="Proportions.WilsonOverProblems"/>).</param>
/// <param name="GeneratedTokensPerProblem">Mean generated tokens per search (expected, for a k-subset).</param>
/// <param name="ValueCallsPerProblem">Mean value-model calls per search, null where not recorded.</param>
public sealed record ProblemScores(IReadOnlyDictionary<string, double> Scores, int Seeds, long Trials, double? GeneratedTokensPerProblem, double? ValueCallsPerProblem)
{
    public int Problems => Scores.Count;

    /// <summary>Mean score over problems with its 95% interval, each problem counted once.</summary>
    public Interval Accuracy => Proportions.WilsonOverProblems(Scores.Values.ToList(), Trials);

    /// <summary>Top-1 outcomes of <paramref name="method"/> in <paramref name="iteration"/>; null when it has none.</summary>
    public static ProblemScores? TopOne(IEnumerable<ProblemOutcome> outcomes, int iteration, string method) =>
        Of(outcomes.Where(o => o.Iteration == iteration && o.Method == method).ToList(), o => o.Correct ? 1 : 0, _ => 1);

    /// <summary>
    /// Scores of the sampling rows at k samples: <paramref name="score"/> gives a row's expected score over its k-subsets
    /// (seeded by the row, so a report rebuilds identically); tokens are k/n of the row's, and so are value calls when
    /// <paramref name="ranksByValue"/> (best-of-k), else none (maj@k and pass@k never ask the value model).
    /// </summary>
    public static ProblemScores AtK(IReadOnlyList<ProblemOutcome> samplingRows, int k, Func<SampledAnswers, int, Random, double> score, bool ranksByValue)
    {
        int n = samplingRows.Min(r => r.Samples!.Count);
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie in [1, {n}], the samples of every row");
        // A row's share of its compute is k over its own samples (a token budget may have cut some rows short).
        return Of(samplingRows, o => score(o.Samples!, k, new Random(SeedMix.Of(StableHash(o.ProblemId), o.Seed ?? 0, k))),
            o => o.Samples!.Count / k, tokenShare: o => (double)k / o.Samples!.Count, valueShare: o => ranksByValue ? (double)k / o.Samples!.Count : 0)!;
    }

    private static ProblemScores? Of(IReadOnlyList<ProblemOutcome> rows, Func<ProblemOutcome, double> score, Func<ProblemOutcome, long> trials,
        Func<ProblemOutcome, double>? tokenShare = null, Func<ProblemOutcome, double>? valueShare = null)
    {
        if (rows.Count == 0) return null;
        var scores = rows.GroupBy(o => o.ProblemId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(score), StringComparer.Ordinal);
        double? PerProblem(Func<ProblemOutcome, long?> counter, Func<ProblemOutcome, double>? share) =>
            rows.All(r => counter(r) is not null) ? rows.Average(r => (share?.Invoke(r) ?? 1) * counter(r)!.Value) : null;
        return new ProblemScores(scores, rows.Select(o => o.Seed).Distinct().Count(), rows.Sum(trials),
            PerProblem(r => r.GeneratedTokens, tokenShare), PerProblem(r => r.ValueCalls, valueShare));
    }

    /// <summary>This method paired with <paramref name="other"/> on the problems both scored (in id order).</summary>
    public PairedTest PairedWith(ProblemScores other)
    {
        var common = Scores.Keys.Where(other.Scores.ContainsKey).Order(StringComparer.Ordinal).ToList();
        return PairedTest.Of(common.Select(p => Scores[p]).ToList(), common.Select(p => other.Scores[p]).ToList());
    }

    /// <summary>FNV-1a over the id's characters: the same in every process, unlike string.GetHashCode.</summary>
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }
        return unchecked((int)hash);
    }
}
