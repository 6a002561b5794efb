namespace Reasoner.Experiments.Metrics;

/// <summary>Appends <see cref="ProblemOutcome"/>s to outcomes.jsonl, flushing each line.</summary>
public sealed class OutcomesWriter(string path) : JsonLinesWriter<ProblemOutcome>(path)
{
    public static OutcomesWriter ForRun(Runs.RunDirectory run) => new(run.OutcomesPath);
}
