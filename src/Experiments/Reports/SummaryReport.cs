using System.Globalization;
using System.Text;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Reports;

/// <summary>summary.md of a run, from its metrics (and per-problem outcomes, for the paired tests) alone.</summary>
internal static class SummaryReport
{
    public static string Render(string runName, IReadOnlyList<MetricsRow> metrics, IReadOnlyList<ProblemOutcome> outcomes, IReadOnlyList<string> plotFiles)
    {
        var text = new StringBuilder();
        text.AppendLine($"# {runName}").AppendLine();
        var results = MethodResult.FromMetrics(metrics);
        if (results.Count == 0)
        {
            text.AppendLine("No evaluation rows in metrics.jsonl yet.").AppendLine();
        }
        else
        {
            text.AppendLine($"""
                Held-out evaluation. Accuracy is top-1 with its Wilson 95% interval over n problems; compute is per
                problem (generated tokens, policy forward tokens, value-model calls) and wall time is for the whole
                evaluation. "vs {MethodResult.Baseline}" is the exact McNemar test on the same problems: b = solved by
                {MethodResult.Baseline} only, c = solved by the method only.
                """).AppendLine();
        }
        foreach (var iteration in results.GroupBy(r => r.Iteration))
        {
            text.AppendLine(iteration.Key == 0 ? "## Iteration 0 (after imitation)" : $"## Iteration {iteration.Key}").AppendLine();
            text.AppendLine($"| method | accuracy [95% CI] | n | generated tokens / problem | policy tokens / problem | value calls / problem | wall s | vs {MethodResult.Baseline} |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
            foreach (var result in iteration)
            {
                text.AppendLine($"| {result.Method} | {Accuracy(result)} | {result.N?.ToString(CultureInfo.InvariantCulture) ?? "-"} " +
                    $"| {Number(result.GeneratedTokensPerProblem)} | {Number(result.PolicyTokensPerProblem)} | {Number(result.ValueCallsPerProblem)} " +
                    $"| {Number(result.WallSeconds)} | {VersusBaseline(outcomes, result)} |");
            }
            text.AppendLine();
        }

        var curve = RewardPoint.FromMetrics(metrics);
        if (curve.Count > 0)
        {
            text.AppendLine("## Reward curve").AppendLine();
            text.AppendLine("Self-improvement training: mean reward over the iteration's steps with a bootstrap 95% interval; losses at the last step.").AppendLine();
            text.AppendLine("| iteration | steps | mean reward [95% CI] | policy loss | value loss |");
            text.AppendLine("|---:|---:|---|---:|---:|");
            foreach (var point in curve)
            {
                string reward = point.MeanReward is { } r ? $"{r.Estimate:0.000} [{r.Low:0.000}, {r.High:0.000}]" : "-";
                text.AppendLine(FormattableString.Invariant(
                    $"| {point.Iteration} | {point.Steps} | {reward} | {Number(point.PolicyLoss, "0.0000")} | {Number(point.ValueLoss, "0.0000")} |"));
            }
            text.AppendLine();
        }

        if (plotFiles.Count > 0)
        {
            text.AppendLine("## Plots").AppendLine();
            foreach (string plot in plotFiles)
            {
                text.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}](plots/{plot})");
            }
        }
        return text.ToString();
    }

    internal static string Accuracy(MethodResult result) => result.Accuracy is { } a
        ? double.IsNaN(a.Low) ? Percent(a.Estimate) : $"{Percent(a.Estimate)} [{Percent(a.Low)}, {Percent(a.High)}]"
        : "-";

    private static string VersusBaseline(IReadOnlyList<ProblemOutcome> outcomes, MethodResult result)
    {
        if (result.Method == MethodResult.Baseline)
        {
            return "baseline";
        }
        return PairedTest.Compute(outcomes, result.Iteration, MethodResult.Baseline, result.Method) is { } test
            ? $"b={test.B} c={test.C}, {PValue(test.PValue)}"
            : "-";
    }

    internal static string PValue(double p) => p < 0.001 ? "p<0.001" : "p=" + p.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    internal static string Number(double? value, string format = "0.#") =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
}
