namespace Reasoner.Experiments.Metrics;

/// <summary>Reads a run's metrics.jsonl and outcomes.jsonl back; a malformed line is an error naming the file and line.</summary>
public static class MetricsReader
{
    public static IReadOnlyList<MetricsRow> Read(string metricsJsonlPath) => JsonLines.Read<MetricsRow>(metricsJsonlPath);

    /// <summary>
    /// Per-problem outcomes, each with its seed in <see cref="ProblemOutcome.Seed"/> (older runs named it in the problem id);
    /// a run without outcomes.jsonl has none (reports then skip the paired tests and the equal-compute curves).
    /// </summary>
    public static IReadOnlyList<ProblemOutcome> ReadOutcomes(string outcomesJsonlPath)
    {
        if (!File.Exists(outcomesJsonlPath))
        {
            return [];
        }
        var outcomes = JsonLines.Read<ProblemOutcome>(outcomesJsonlPath);
        for (int i = 0; i < outcomes.Count; i++)
        {
            outcomes[i].Samples?.Check($"{outcomesJsonlPath}, outcome {i + 1}");
            outcomes[i] = outcomes[i].WithSeedField();
        }
        return outcomes;
    }
}
