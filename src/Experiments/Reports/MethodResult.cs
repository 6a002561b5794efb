using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// One method's evaluation in one iteration, pooled over its rows (one per evaluation seed): accuracy over the N problems
/// with its 95% interval, each problem counted once (<see cref="ProblemScores"/>), and compute per search (the rows'
/// totals over every seed's searches).
/// </summary>
/// <param name="N">Problems evaluated (each seed searched all of them).</param>
/// <param name="Seeds">Evaluation seeds pooled.</param>
public sealed record MethodResult(
    int Iteration, string Method, int? N, Interval? Accuracy, double? MeanReward,
    double? GeneratedTokensPerProblem, double? PolicyTokensPerProblem, double? ValueCallsPerProblem, double? WallSeconds, int Seeds = 1)
{
    /// <summary>The method every other one is tested against: one greedy pass of the policy.</summary>
    public const string Baseline = "system1";

    /// <summary>
    /// Evaluation rows grouped by iteration, then by method: the baseline first, the rest in order of first appearance.
    /// With per-problem <paramref name="outcomes"/>, the interval is over problems with seeds averaged per problem;
    /// without, rows of several seeds still count each problem once (the interval of the pooled accuracy at N).
    /// </summary>
    public static IReadOnlyList<MethodResult> From(IEnumerable<MetricsRow> metrics, IReadOnlyList<ProblemOutcome> outcomes)
    {
        var evaluations = metrics.Where(r => r.Stage == Stage.Evaluation).ToList();
        var methodOrder = evaluations.Select(r => r.Method ?? "").Distinct().OrderBy(m => m == Baseline ? 0 : 1).ToList();
        return evaluations
            .GroupBy(r => (r.Iteration, Method: r.Method ?? ""))
            .OrderBy(g => g.Key.Iteration).ThenBy(g => methodOrder.IndexOf(g.Key.Method))
            .Select(g => Pool(g.Key.Iteration, g.Key.Method, g.ToList(), ProblemScores.TopOne(outcomes, g.Key.Iteration, g.Key.Method)))
            .ToList();
    }

    private static MethodResult Pool(int iteration, string method, List<MetricsRow> rows, ProblemScores? scores)
    {
        int? searches = rows.All(r => r.N is not null) ? rows.Sum(r => r.N!.Value) : null;
        int? problems = scores?.Problems ?? (searches is not null ? rows.Max(r => r.N!.Value) : null);
        Interval? accuracy;
        if (scores is not null)
        {
            accuracy = scores.Accuracy;
        }
        else if (searches is { } total && rows.All(r => r.Accuracy is not null))
        {
            int correct = rows.Sum(r => (int)Math.Round(r.Accuracy!.Value * r.N!.Value));
            accuracy = rows.Count == 1
                ? Proportions.Wilson(correct, total)
                // Seeds over the same problems, without per-problem outcomes: each problem once, scored by its mean.
                : Proportions.WilsonAt((double)correct / total, problems!.Value, Proportions.Z95);
        }
        else
        {
            // Without N the interval cannot be pooled; a single row keeps what was logged.
            var last = rows[^1];
            accuracy = last.Accuracy is { } a ? new Interval(a, last.CiLow ?? double.NaN, last.CiHigh ?? double.NaN) : null;
        }
        double? PerProblem(Func<MetricsRow, long?> counter) =>
            searches is > 0 && rows.All(r => counter(r) is not null) ? (double)rows.Sum(r => counter(r)!.Value) / searches.Value : null;
        var rewards = rows.Where(r => r.MeanReward is not null && r.N is not null).ToList();
        double? meanReward = rewards.Count > 0 && rewards.Sum(r => r.N!.Value) > 0
            ? rewards.Sum(r => r.MeanReward!.Value * r.N!.Value) / rewards.Sum(r => r.N!.Value)
            : rows.LastOrDefault(r => r.MeanReward is not null)?.MeanReward;
        double? wall = rows.All(r => r.WallSeconds is not null) ? rows.Sum(r => r.WallSeconds!.Value) : null;
        return new MethodResult(iteration, method, problems, accuracy, meanReward,
            PerProblem(r => r.GeneratedTokens), PerProblem(r => r.PolicyTokens), PerProblem(r => r.ValueCalls), wall,
            scores?.Seeds ?? rows.Count);
    }
}
