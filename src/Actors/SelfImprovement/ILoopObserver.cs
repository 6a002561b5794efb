namespace Reasoner.Actors.SelfImprovement;

/// <summary>How far a phase of the loop has got: searching iteration k's problems, or evaluating.</summary>
/// <param name="Phase">"search" or "evaluate" (with the method).</param>
/// <param name="MeanReward">Mean reward of the chosen completions finished so far.</param>
internal sealed record LoopProgress(string Phase, int Iteration, int Iterations, int Done, int Total, double MeanReward, double ProblemsPerSecond);

/// <summary>
/// The person watching a run: the CLI draws <see cref="Progress"/> on stderr and logs <see cref="Note"/>s (to stderr and
/// log.jsonl). Called from the metrics sink only, so never concurrently.
/// </summary>
internal interface ILoopObserver
{
    void Progress(LoopProgress progress);

    void Note(string messageTemplate, params object[] values);
}
