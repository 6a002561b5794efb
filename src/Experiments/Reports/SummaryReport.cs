using System.Globalization;
using System.Text;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Reports;

/// <summary>summary.md of a run, from its metrics and per-problem outcomes alone.</summary>
internal static class SummaryReport
{
    /// <param name="comparisons">Each iteration's equal-compute comparison (<see cref="ComputeComparison.ForEachIteration"/>).</param>
    /// <param name="valueSection">The value model's section (<see cref="ValueReport"/>), markdown placed before the plots.</param>
    public static string Render(string runName, IReadOnlyList<MetricsRow> metrics, IReadOnlyList<ProblemOutcome> outcomes,
        IReadOnlyDictionary<int, ComputeComparison> comparisons, IReadOnlyList<string> plotFiles, string valueSection = "")
    {
        var text = new StringBuilder();
        text.AppendLine($"# {runName}").AppendLine();
        var results = MethodResult.From(metrics, outcomes);
        if (results.Count == 0)
        {
            text.AppendLine("No evaluation rows in metrics.jsonl yet.").AppendLine();
        }
        else
        {
            text.AppendLine($"""
                Held-out evaluation. Accuracy is top-1 with its 95% interval over the n problems, and "vs {MethodResult.Baseline}" is a
                paired test on the same problems. Several evaluation seeds (n x s) are pooled per problem: each problem's score
                is its mean over the s seeds, so a problem counts once. The interval is then Wilson's at the effective number of
                trials p(1 - p) / Var(mean problem score), between n and n x s, and the test a sign-flip permutation test of the
                per-problem differences ({Statistics.PairedTest.SignFlips:N0} draws). When every problem's score is 0 or 1 (one seed,
                or seeds that agree) these are exactly the Wilson interval of k of n and the exact McNemar test: b = solved by
                {MethodResult.Baseline} only, c = by the method only. Compute is per search (generated tokens, policy forward
                tokens, value-model calls); wall time is for the whole evaluation.
                """).AppendLine();
        }
        if (comparisons.Count > 0)
        {
            text.AppendLine($"""
                Equal compute. Each iteration also puts every method at the generated tokens it spent per problem. maj@k
                (majority answer), best-of-k (the value model's pick) and pass@k (any of k correct: an oracle bound, not a
                method) come from one run of n samples per problem: each k is the mean over k-subsets of those samples, at k/n
                of their tokens. Tree searches also ran at smaller sizes ("mcts @ simulations=8"). A search is ahead at equal
                compute only if it beats maj@k, and best-of-k, at the smallest k whose samples cost at least its tokens;
                "ahead" and "behind" need p < {ComputeComparison.Alpha.ToString(CultureInfo.InvariantCulture)} in the paired test over problems.
                """).AppendLine();
        }
        var embedded = new HashSet<string>();
        foreach (var iteration in results.GroupBy(r => r.Iteration))
        {
            text.AppendLine(iteration.Key == 0 ? "## Iteration 0 (after imitation)" : $"## Iteration {iteration.Key}").AppendLine();
            text.AppendLine($"| method | accuracy [95% CI] | n | generated tokens / problem | policy tokens / problem | value calls / problem | wall s | vs {MethodResult.Baseline} |");
            text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
            foreach (var result in iteration)
            {
                text.AppendLine($"| {result.Method} | {Accuracy(result)} | {Problems(result)} " +
                    $"| {Number(result.GeneratedTokensPerProblem)} | {Number(result.PolicyTokensPerProblem)} | {Number(result.ValueCallsPerProblem)} " +
                    $"| {Number(result.WallSeconds)} | {VersusBaseline(outcomes, result)} |");
            }
            text.AppendLine();
            if (comparisons.TryGetValue(iteration.Key, out var comparison))
            {
                AppendEqualCompute(text, comparison, plotFiles, embedded);
            }
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

        text.Append(valueSection);
        AppendTimeSpent(text, metrics);

        var remaining = plotFiles.Where(p => !embedded.Contains(p)).ToList();
        if (remaining.Count > 0)
        {
            text.AppendLine("## Plots").AppendLine();
            foreach (string plot in remaining)
            {
                text.AppendLine(Image(plot));
            }
        }
        return text.ToString();
    }

    /// <summary>Where the run's wall time went: each phase's seconds summed over iterations, in the order the phases first ran.</summary>
    private static void AppendTimeSpent(StringBuilder text, IReadOnlyList<MetricsRow> metrics)
    {
        var phases = metrics.Where(r => r.Stage == Stage.Timing && r.Method is not null && r.WallSeconds is not null)
            .GroupBy(r => r.Method!)
            .Select(g => (Phase: g.Key, Iterations: g.Select(r => r.Iteration).Distinct().Count(), Seconds: g.Sum(r => r.WallSeconds!.Value)))
            .ToList();
        if (phases.Count == 0) return;
        double total = phases.Sum(p => p.Seconds);
        text.AppendLine("## Where the time went").AppendLine();
        text.AppendLine("Wall time of each phase, summed over the iterations it ran in; a resumed run counts the phases it ran again.").AppendLine();
        text.AppendLine("| phase | iterations | seconds | share |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (phase, iterations, seconds) in phases)
            text.AppendLine(FormattableString.Invariant($"| {phase} | {iterations} | {seconds:0.0} | {Percent(total > 0 ? seconds / total : 0)} |"));
        text.AppendLine(FormattableString.Invariant($"| total | | {total:0.0} | 100.0% |")).AppendLine();
    }

    /// <summary>The iteration's accuracy-against-tokens table, each search's verdict at equal tokens, and its plot.</summary>
    private static void AppendEqualCompute(StringBuilder text, ComputeComparison comparison, IReadOnlyList<string> plotFiles, HashSet<string> embedded)
    {
        text.AppendLine(comparison.Iteration == 0 ? "### Equal compute (after imitation)" : $"### Equal compute (iteration {comparison.Iteration})").AppendLine();
        if (comparison.Samples is { } samples)
        {
            text.AppendLine($"maj@k, best-of-k and pass@k: k-subsets of {samples} samples per problem and seed.").AppendLine();
        }
        text.AppendLine("| method | generated tokens / problem | value calls / problem | accuracy [95% CI] | n |");
        text.AppendLine("|---|---:|---:|---|---:|");
        foreach (var point in comparison.Points.OrderBy(p => p.Oracle).ThenBy(p => p.Series == MethodResult.Baseline ? 0 : 1).ThenBy(p => p.GeneratedTokensPerProblem))
        {
            string name = point.Oracle ? $"{point.Label} (oracle)" : point.Label;
            text.AppendLine($"| {name} | {Number(point.Scores.GeneratedTokensPerProblem)} | {Number(point.Scores.ValueCallsPerProblem)} " +
                $"| {Accuracy(point.Scores.Accuracy)} | {Problems(point.Scores.Problems, point.Scores.Seeds)} |");
        }
        text.AppendLine();
        if (comparison.Verdicts.Count > 0)
        {
            text.AppendLine($"| search | generated tokens / problem | accuracy | vs {MethodResult.Baseline} | vs maj@k at no fewer tokens | vs best-of-k at no fewer tokens |");
            text.AppendLine("|---|---:|---|---|---|---|");
            foreach (var verdict in comparison.Verdicts)
            {
                string versusSystemOne = verdict.VersusSystemOne is { } test ? ComputeComparison.Verdict(test) : "-";
                text.AppendLine($"| {verdict.Search.Label} | {Number(verdict.Search.Scores.GeneratedTokensPerProblem)} | {Accuracy(verdict.Search.Scores.Accuracy)} " +
                    $"| {versusSystemOne} | {Matched(verdict.VersusMajority, verdict)} | {Matched(verdict.VersusBest, verdict)} |");
            }
            text.AppendLine();
        }
        string plot = RunPlots.EqualComputeFile(comparison.Iteration);
        if (plotFiles.Contains(plot))
        {
            text.AppendLine(Image(plot)).AppendLine();
            embedded.Add(plot);
        }
    }

    private static string Matched(MatchedBudget? matched, ComputeVerdict verdict) =>
        matched is not null
            ? $"{matched.Label} ({Number(matched.GeneratedTokensPerProblem)} tokens, {Percent(matched.Accuracy.Estimate)}): {ComputeComparison.Verdict(matched.Test)}"
            : verdict.SamplesNeeded is { } needed
                ? $"not matched: {needed} samples would cost its tokens (raise evaluation.budgets.samples)"
                : "-";

    private static string Image(string plot) => $"![{Path.GetFileNameWithoutExtension(plot)}](plots/{plot})";

    internal static string Accuracy(MethodResult result) => result.Accuracy is { } a ? Accuracy(a) : "-";

    private static string Accuracy(Statistics.Interval a) =>
        double.IsNaN(a.Low) ? Percent(a.Estimate) : $"{Percent(a.Estimate)} [{Percent(a.Low)}, {Percent(a.High)}]";

    private static string Problems(MethodResult result) =>
        result.N is { } n ? Problems(n, result.Seeds) : "-";

    private static string Problems(int problems, int seeds) =>
        seeds > 1 ? FormattableString.Invariant($"{problems} x {seeds} seeds") : problems.ToString(CultureInfo.InvariantCulture);

    private static string VersusBaseline(IReadOnlyList<ProblemOutcome> outcomes, MethodResult result)
    {
        if (result.Method == MethodResult.Baseline)
        {
            return "baseline";
        }
        if (ProblemScores.TopOne(outcomes, result.Iteration, MethodResult.Baseline) is not { } baseline
            || ProblemScores.TopOne(outcomes, result.Iteration, result.Method) is not { } method)
        {
            return "-";
        }
        var test = baseline.PairedWith(method);
        return test.Problems == 0 ? "-"
            : test.IsMcNemar ? $"b={test.OnlyFirst} c={test.OnlySecond}, {PValue(test.PValue)}"
            : FormattableString.Invariant($"{100 * -test.MeanDifference:+0.0;-0.0;0.0} points, {PValue(test.PValue)} (sign-flip)");
    }

    internal static string PValue(double p) => p < 0.001 ? "p<0.001" : "p=" + p.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    internal static string Number(double? value, string format = "0.#") =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
}
