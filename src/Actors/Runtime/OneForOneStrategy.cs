namespace Reasoner.Actors.Runtime;

/// <summary>
/// A parent's policy for a failing child, applied to that child only (Akka's OneForOneStrategy).
/// <see cref="Decider"/> maps the exception to a directive. A child may restart at most
/// <see cref="MaxRetries"/> times within <see cref="WithinTimeRange"/> (window measured on the system clock,
/// restarting from the first failure after it elapsed); one more failure stops it and its watchers get
/// <see cref="Terminated"/>. Immutable, so one instance may serve many parents: the jitter generator lives
/// in each parent.
/// </summary>
internal sealed record OneForOneStrategy(Func<Exception, Directive> Decider)
{
    /// <summary>null: unlimited.</summary>
    public int? MaxRetries { get; init; } = 10;

    /// <summary>null: the limit counts over the child's whole life.</summary>
    public TimeSpan? WithinTimeRange { get; init; } = TimeSpan.FromMinutes(1);

    public BackoffOptions Backoff { get; init; } = new();

    /// <summary>Restart on any exception, as Akka's default.</summary>
    public static OneForOneStrategy Default { get; } = new(_ => Directive.Restart);
}
