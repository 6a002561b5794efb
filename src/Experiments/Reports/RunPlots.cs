using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Reports;

/// <summary>The SVG plots of a run, from its metrics: only those with data are drawn.</summary>
internal static class RunPlots
{
    /// <summary>File name (in plots/) to SVG text.</summary>
    /// <param name="comparisons">Each iteration's equal-compute comparison (<see cref="ComputeComparison.ForEachIteration"/>).</param>
    public static IReadOnlyList<(string File, string Svg)> Render(IReadOnlyList<MetricsRow> metrics, IReadOnlyList<ProblemOutcome> outcomes,
        IReadOnlyDictionary<int, ComputeComparison> comparisons)
    {
        var plots = new List<(string, string)>();
        var results = MethodResult.From(metrics, outcomes);
        var methods = results.Select(r => r.Method).Distinct().ToList();

        var accuracy = methods.Select(m => new ChartSeries(m, results
            .Where(r => r.Method == m && r.Accuracy is not null)
            .Select(r => new ChartPoint(r.Iteration, r.Accuracy!.Value.Estimate, Finite(r.Accuracy.Value.Low), Finite(r.Accuracy.Value.High)))
            .ToList())).ToList();
        if (accuracy.Any(s => s.Points.Count > 0))
        {
            plots.Add(("accuracy.svg", new SvgLineChart("Held-out accuracy per iteration (95% CI)", "iteration", "accuracy",
                YMin: 0, YMax: 1, IntegerX: true).Render(accuracy)));
        }

        var curve = RewardPoint.FromMetrics(metrics).Where(p => p.MeanReward is not null).ToList();
        if (curve.Count > 0)
        {
            var reward = new ChartSeries("mean reward", curve
                .Select(p => new ChartPoint(p.Iteration, p.MeanReward!.Value.Estimate, p.MeanReward.Value.Low, p.MeanReward.Value.High)).ToList());
            plots.Add(("reward.svg", new SvgLineChart("Mean training reward per iteration (95% bootstrap CI)", "iteration", "mean reward",
                IntegerX: true).Render([reward])));
        }

        var training = metrics.Where(r => r.Stage != Stage.Evaluation && r.Step is not null).ToList();
        var losses = new[]
        {
            new ChartSeries("policy loss", training.Where(r => r.PolicyLoss is not null).Select(r => new ChartPoint(r.Step!.Value, r.PolicyLoss!.Value)).ToList()),
            new ChartSeries("value loss", training.Where(r => r.ValueLoss is not null).Select(r => new ChartPoint(r.Step!.Value, r.ValueLoss!.Value)).ToList()),
        }.Where(s => s.Points.Count > 0).ToList();
        if (losses.Count > 0)
        {
            plots.Add(("loss.svg", new SvgLineChart("Training losses", "optimiser step", "loss").Render(losses)));
        }

        // Each point is one iteration's evaluation of a method (labelled it0, it1, ...): accuracy against compute.
        var frontier = methods.Select(m => new ChartSeries(m, results
            .Where(r => r.Method == m && r.Accuracy is not null && r.GeneratedTokensPerProblem is > 0)
            .Select(r => new ChartPoint(r.GeneratedTokensPerProblem!.Value, r.Accuracy!.Value.Estimate, Finite(r.Accuracy.Value.Low), Finite(r.Accuracy.Value.High), $"it{r.Iteration}"))
            .ToList(), Connect: false)).ToList();
        if (frontier.Any(s => s.Points.Count > 0))
        {
            plots.Add(("accuracy-vs-tokens.svg", new SvgLineChart("Each iteration's evaluation: accuracy vs generated tokens", "generated tokens per problem (log)", "accuracy",
                YMin: 0, YMax: 1, LogX: true).Render(frontier)));
        }

        foreach (var comparison in comparisons.Values.OrderBy(c => c.Iteration))
        {
            plots.Add((EqualComputeFile(comparison.Iteration), EqualCompute(comparison)));
        }
        return plots;
    }

    /// <summary>The plot of one iteration's equal-compute comparison.</summary>
    public static string EqualComputeFile(int iteration) => $"equal-compute-{iteration}.svg";

    /// <summary>One series per curve (System 1 a single point; pass@k dashed, as a bound), each point with its 95% interval.</summary>
    private static string EqualCompute(ComputeComparison comparison)
    {
        var series = comparison.Points.GroupBy(p => p.Series).Select(curve => new ChartSeries(
            curve.First().Oracle ? $"{curve.Key} (oracle)" : curve.Key,
            curve.Select(p => new ChartPoint(p.GeneratedTokensPerProblem, p.Scores.Accuracy.Estimate, p.Scores.Accuracy.Low, p.Scores.Accuracy.High)).ToList(),
            Dashed: curve.First().Oracle)).ToList();
        string title = comparison.Iteration == 0 ? "Equal compute after imitation (95% CI)" : $"Equal compute, iteration {comparison.Iteration} (95% CI)";
        // The y axis fits the data: at the accuracies small models reach, a 0-1 axis would flatten every curve.
        return new SvgLineChart(title, "generated tokens per problem (log)", "accuracy", YMin: 0, LogX: true).Render(series);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
