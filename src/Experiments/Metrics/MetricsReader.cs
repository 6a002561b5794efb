namespace Reasoner.Experiments.Metrics;

/// <summary>Reads a run's metrics.jsonl and outcomes.jsonl back; a malformed line is an error naming the file and line.</summary>
public static class MetricsReader
{
    public static IReadOnlyList<MetricsRow> Read(string metricsJsonlPath) => JsonLines.Read<MetricsRow>(metricsJsonlPath);

    /// <summary>Per-problem outcomes; a run without outcomes.jsonl has none (reports then skip the paired tests).</summary>
    public static IReadOnlyList<ProblemOutcome> ReadOutcomes(string outcomesJsonlPath) =>
        File.Exists(outcomesJsonlPath) ? JsonLines.Read<ProblemOutcome>(outcomesJsonlPath) : [];
}
