using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Training;
using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Reports;

/// <summary>Rebuilds a run's summary.md and plots/*.svg from its metrics.jsonl and outcomes.jsonl.</summary>
public static class RunReport
{
    /// <summary>Writes the report; returns the paths written (summary first).</summary>
    public static IReadOnlyList<string> Write(RunDirectory run)
    {
        var metrics = MetricsReader.Read(run.MetricsJsonlPath);
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        var plots = RunPlots.Render(metrics);
        Directory.CreateDirectory(run.PlotsPath);
        var written = new List<string> { run.SummaryPath };
        foreach (var (file, svg) in plots)
        {
            string path = Path.Combine(run.PlotsPath, file);
            File.WriteAllText(path, svg);
            written.Add(path);
        }
        var summary = SummaryReport.Render(run.Name, metrics, outcomes, plots.Select(p => p.File).ToList());
        File.WriteAllText(run.SummaryPath, summary + ValueReport.Render(ValueRankingWriter.Read(run), ValueSource(run)));
        return written;
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
        string loop = config.SelfImprovement.Iterations > 0 ? " In self-improvement it learns the verified outcomes of the searches only." : "";
        return $"Value targets in imitation (`imitation.value_targets`): {targets}; the value model (`imitation.value_network`): {network}.{loop}";
    }
}
