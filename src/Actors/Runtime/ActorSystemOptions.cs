namespace Reasoner.Actors.Runtime;

/// <summary>
/// The system's time: <see cref="Clock"/> measures supervision retry windows and <see cref="Delay"/> waits out
/// restart back-offs and scheduled messages. Tests inject both to record back-off timings and to fire
/// timers on cue, without sleeping.
/// </summary>
internal sealed record ActorSystemOptions
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>Strategy for top-level actors. Escalation from a top-level actor stops it and publishes
    /// <see cref="ActorFailed"/> (there is no one above to decide).</summary>
    public OneForOneStrategy GuardianStrategy { get; init; } = OneForOneStrategy.Default;
}
