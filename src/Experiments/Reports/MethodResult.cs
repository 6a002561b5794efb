using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// One method's evaluation in one iteration, pooled over its rows (one per evaluation seed, say): accuracy with its
/// Wilson 95% interval over all N problems, and compute per problem (the rows' totals divided by N).
/// </summary>
public sealed record MethodResult(
    int Iteration, string Method, int? N, Interval? Accuracy, double? MeanReward,
    double? GeneratedTokensPerProblem, double? PolicyTokensPerProblem, double? ValueCallsPerProblem, double? WallSeconds)
{
    /// <summary>The method every other one is tested against: one greedy pass of the policy.</summary>
    public const string Baseline = "system1";

    /// <summary>Evaluation rows grouped by iteration, then by method: the baseline first, the rest in order of first appearance.</summary>
    public static IReadOnlyList<MethodResult> FromMetrics(IEnumerable<MetricsRow> metrics)
    {
        var evaluations = metrics.Where(r => r.Stage == Stage.Evaluation).ToList();
        var methodOrder = evaluations.Select(r => r.Method ?? "").Distinct().OrderBy(m => m == Baseline ? 0 : 1).ToList();
        return evaluations
            .GroupBy(r => (r.Iteration, Method: r.Method ?? ""))
            .OrderBy(g => g.Key.Iteration).ThenBy(g => methodOrder.IndexOf(g.Key.Method))
            .Select(g => Pool(g.Key.Iteration, g.Key.Method, g.ToList()))
            .ToList();
    }

    private static MethodResult Pool(int iteration, string method, List<MetricsRow> rows)
    {
        int? n = rows.All(r => r.N is not null) ? rows.Sum(r => r.N!.Value) : null;
        Interval? accuracy;
        if (n is { } total && rows.All(r => r.Accuracy is not null))
        {
            int correct = rows.Sum(r => (int)Math.Round(r.Accuracy!.Value * r.N!.Value));
            accuracy = Proportions.Wilson(correct, total);
        }
        else
        {
            // Without N the interval cannot be pooled; a single row keeps what was logged.
            var last = rows[^1];
            accuracy = last.Accuracy is { } a ? new Interval(a, last.CiLow ?? double.NaN, last.CiHigh ?? double.NaN) : null;
        }
        double? PerProblem(Func<MetricsRow, long?> counter) =>
            n is > 0 && rows.All(r => counter(r) is not null) ? (double)rows.Sum(r => counter(r)!.Value) / n.Value : null;
        var rewards = rows.Where(r => r.MeanReward is not null && r.N is not null).ToList();
        double? meanReward = rewards.Count > 0 && rewards.Sum(r => r.N!.Value) > 0
            ? rewards.Sum(r => r.MeanReward!.Value * r.N!.Value) / rewards.Sum(r => r.N!.Value)
            : rows.LastOrDefault(r => r.MeanReward is not null)?.MeanReward;
        double? wall = rows.All(r => r.WallSeconds is not null) ? rows.Sum(r => r.WallSeconds!.Value) : null;
        return new MethodResult(iteration, method, n, accuracy, meanReward,
            PerProblem(r => r.GeneratedTokens), PerProblem(r => r.PolicyTokens), PerProblem(r => r.ValueCalls), wall);
    }
}
