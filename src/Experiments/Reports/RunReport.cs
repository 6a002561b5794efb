using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Training;
using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Reports;

/// <summary>Rebuilds a run's summary.md, plots/*.svg and report.html from its metrics.jsonl and outcomes.jsonl.</summary>
public static class RunReport
{
    /// <summary>Writes the report; returns the paths written: summary.md, report.html, then the plots.</summary>
    public static IReadOnlyList<string> Write(RunDirectory run)
    {
        var metrics = MetricsReader.Read(run.MetricsJsonlPath);
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        var comparisons = ComputeComparison.ForEachIteration(outcomes);
        var plots = RunPlots.Render(metrics, outcomes, comparisons);
        Directory.CreateDirectory(run.PlotsPath);
        var written = new List<string> { run.SummaryPath, run.ReportPath };
        foreach (var (file, svg) in plots)
        {
            string path = Path.Combine(run.PlotsPath, file);
            File.WriteAllText(path, svg);
            written.Add(path);
        }
        string summary = SummaryReport.Render(run.Name, metrics, outcomes, comparisons, plots.Select(p => p.File).ToList(),
            ValueReport.Render(ValueRankingWriter.Read(run), ValueSource(run)));
        File.WriteAllText(run.SummaryPath, summary);
        var svgByLink = plots.ToDictionary(p => $"plots/{p.File}", p => p.Svg, StringComparer.Ordinal);
        File.WriteAllText(run.ReportPath, HtmlReport.Render(summary, link => svgByLink.GetValueOrDefault(link)));
        return written;
    }

    /// <summary>
    /// The comparison of several runs as one page: the side-by-side table of their final evaluations, then each run's
    /// summary with its plots, built from each run's metrics and outcomes (nothing in the runs is written).
    /// </summary>
    public static string ComparisonHtml(IReadOnlyList<RunDirectory> runs)
    {
        var comparison = RunComparison.Load(runs);
        var markdown = new System.Text.StringBuilder();
        markdown.AppendLine($"# Comparison of {runs.Count} runs").AppendLine();
        markdown.AppendLine("Each run's last evaluated iteration, per method: accuracy with its 95% interval and generated tokens per problem; each run's summary follows.").AppendLine();
        markdown.AppendLine(comparison.RenderMarkdown());
        var svgByLink = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int r = 0; r < runs.Count; r++)
        {
            var metrics = MetricsReader.Read(runs[r].MetricsJsonlPath);
            var outcomes = MetricsReader.ReadOutcomes(runs[r].OutcomesPath);
            var comparisons = ComputeComparison.ForEachIteration(outcomes);
            var plots = RunPlots.Render(metrics, outcomes, comparisons);
            // Two runs may share a name (the same folder name under different parents): links stay apart by index.
            string prefix = $"run{r + 1}/plots/";
            foreach (var (file, svg) in plots) svgByLink[prefix + file] = svg;
            string summary = SummaryReport.Render(runs[r].Name, metrics, outcomes, comparisons, plots.Select(p => p.File).ToList(),
                ValueReport.Render(ValueRankingWriter.Read(runs[r]), ValueSource(runs[r])));
            foreach (string line in summary.Split('\n'))
            {
                // One level down: each run is a section of the comparison.
                string shifted = line.StartsWith('#') ? "#" + line : line;
                markdown.AppendLine(shifted.Replace("](plots/", $"]({prefix}", StringComparison.Ordinal));
            }
        }
        return HtmlReport.Render(markdown.ToString(), link => svgByLink.GetValueOrDefault(link));
    }

    /// <summary>What the run's config says the value learned from, or null for a folder without a config (eval --metrics-dir).</summary>
    private static string? ValueSource(RunDirectory run)
    {
        if (!File.Exists(run.ConfigPath)) return null;
        var config = ConfigBinder.LoadFile<ExperimentConfig>(run.ConfigPath);
        var imitation = config.Imitation;
        if (imitation.ValueSteps == 0) return "The value was not trained in imitation (imitation.value_steps: 0).";
        string targets = imitation.ValueTargets switch
        {
            ValueTargetSource.Expert => "expert (the task's exact oracle labelled the expert's states, the policy's sampled and proposed states and near misses of their steps)",
            ValueTargetSource.Rollouts => "rollouts (the verified outcomes of the imitation policy's own samples)",
            _ => "both (the oracle's labels and the rollouts' outcomes)",
        };
        string network = imitation.ValueNetwork == ValueNetwork.Separate
            ? "a separate value network, a copy of the policy after imitation"
            : "the policy's own value head (shared trunk)";
        if (imitation.CheckerSteps > 0)
            network += $", which also learned to check steps (`imitation.checker_steps`: {imitation.CheckerSteps}; search multiplies a state's value by the probability it gives each written result)"
                + (imitation.CheckStates ? " and the problems the steps leave, labelled by the task's solver (`imitation.check_states`; search values a partial state by what its last step leaves)" : "")
                + (imitation.CheckTask is { } drilled ? $", drilled on {imitation.CheckProblems} training problems of {drilled.Name} (`imitation.check_task`)" : "");
        string loop = config.SelfImprovement.Iterations == 0 ? "" : config.SelfImprovement.ValueStates switch
        {
            LoopValueStates.Answers => " In self-improvement it learns the verified outcomes of the searches only, at the finished answers (`self_improvement.value_states: answers`).",
            LoopValueStates.Prefixes => " In self-improvement it learns the verified outcomes of the searches only, at the finished answers and every line prefix (`self_improvement.value_states: prefixes`).",
            _ => " In self-improvement it stays as imitation left it (`self_improvement.value_states: none`).",
        };
        return $"Value targets in imitation (`imitation.value_targets`): {targets}; the value model (`imitation.value_network`): {network}.{loop}";
    }
}
