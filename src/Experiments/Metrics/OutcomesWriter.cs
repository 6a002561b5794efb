namespace Reasoner.Experiments.Metrics;

/// <summary>Appends <see cref="ProblemOutcome"/>s to outcomes.jsonl, flushing each line.</summary>
public sealed class OutcomesWriter(string path) : IDisposable
{
    private readonly StreamWriter writer = MetricsWriter.Open(path);
    private readonly Lock gate = new();

    public static OutcomesWriter ForRun(Runs.RunDirectory run) => new(run.OutcomesPath);

    public void Append(ProblemOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        string json = JsonLines.Serialize(outcome);
        lock (gate)
        {
            writer.WriteLine(json);
        }
    }

    public void Dispose() => writer.Dispose();
}
