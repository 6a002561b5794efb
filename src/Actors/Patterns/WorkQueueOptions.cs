using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Patterns;

/// <summary>
/// <see cref="Workers"/> workers run the work function concurrently. <see cref="Supervision"/> decides what
/// happens to a worker whose item threw: by default it restarts after a short back-off and the item goes
/// back in the queue; a worker past its retry limit is stopped and its item goes to the others. Use
/// Restart or Stop only: Resume would drop the failed item and leave the run waiting for it.
/// </summary>
internal sealed record WorkQueueOptions
{
    public int Workers { get; init; } = 4;

    public OneForOneStrategy Supervision { get; init; } = new(_ => Directive.Restart)
    {
        MaxRetries = 10,
        Backoff = new BackoffOptions { MinBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromSeconds(1) },
    };
}
