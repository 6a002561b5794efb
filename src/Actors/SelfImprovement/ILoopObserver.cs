namespace Reasoner.Actors.SelfImprovement;

/// <summary>How far a phase of the loop has got: training (imitation, an iteration's training), searching iteration k's
/// problems, or evaluating.</summary>
/// <param name="Phase">"imitation", "training", "search", "gate" or "evaluate" (with the method).</param>
/// <param name="Done">Of <paramref name="Total"/>, in <paramref name="Unit"/>s: problems searched, or optimiser steps.</param>
/// <param name="MeanReward">Mean reward of the chosen completions finished so far (NaN while training).</param>
/// <param name="ProblemsPerSecond">Units per second since the phase started.</param>
internal sealed record LoopProgress(string Phase, int Iteration, int Iterations, int Done, int Total, double MeanReward, double ProblemsPerSecond,
    string Unit = "problems")
{
    /// <summary>The phase's time left at its rate so far; null before its first unit.</summary>
    public TimeSpan? Remaining => Done > 0 && ProblemsPerSecond > 0 ? TimeSpan.FromSeconds(Math.Max(0, Total - Done) / ProblemsPerSecond) : null;
}

/// <summary>
/// The person watching a run: the CLI draws <see cref="Progress"/> on stderr and logs <see cref="Note"/>s (to stderr and
/// log.jsonl). Called from the metrics sink only, so never concurrently.
/// </summary>
internal interface ILoopObserver
{
    void Progress(LoopProgress progress);

    void Note(string messageTemplate, params object[] values);
}
