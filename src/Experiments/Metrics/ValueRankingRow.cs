using Reasoner.Experiments.Evaluation;

namespace Reasoner.Experiments.Metrics;

/// <summary>
/// One line of value.jsonl: how well the value model ranked the states one evaluated method met in one iteration's
/// evaluation (all its seeds pooled), against the held-out ground truth.
/// </summary>
public sealed record ValueRankingRow(int Iteration, string Method, ValueRanking Value);

/// <summary>Appends <see cref="ValueRankingRow"/>s to a run's value.jsonl.</summary>
public sealed class ValueRankingWriter(string path) : JsonLinesWriter<ValueRankingRow>(path)
{
    public static ValueRankingWriter ForRun(Runs.RunDirectory run) => new(run.ValuePath);

    /// <summary>The rows of a run's value.jsonl; none when the run has no such file (it valued nothing, or predates it).</summary>
    public static IReadOnlyList<ValueRankingRow> Read(Runs.RunDirectory run) =>
        File.Exists(run.ValuePath) ? JsonLines.Read<ValueRankingRow>(run.ValuePath) : [];
}
