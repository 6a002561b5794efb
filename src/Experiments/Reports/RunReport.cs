using Reasoner.Experiments.Metrics;
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
    private static string? ValueSource(RunDirectory run) => null;
}
