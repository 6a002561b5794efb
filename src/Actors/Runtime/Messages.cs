namespace Reasoner.Actors.Runtime;

/// <summary>Stops the receiver when it reaches the front of its mailbox: messages told before it are
/// processed, messages after it go to the dead letters. Akka's <c>PoisonPill.Instance</c>.</summary>
internal sealed record PoisonPill
{
    public static PoisonPill Instance { get; } = new();
}

/// <summary>Told to every watcher once the watched actor has stopped, for whatever reason, including an
/// actor that was already dead when <c>Watch</c> was called.</summary>
internal sealed record Terminated(IActorRef ActorRef);

/// <summary>Akka's reply conventions: an <c>Ask</c> answered with <see cref="Failure"/> throws its cause.</summary>
internal static class Status
{
    public sealed record Failure(Exception Cause);
}
