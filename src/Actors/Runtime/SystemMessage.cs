namespace Reasoner.Actors.Runtime;

/// <summary>Messages between cells that bypass the user queue (handled even while the actor is suspended
/// after a failure, ahead of queued user messages).</summary>
internal abstract record SystemMessage;

/// <summary>Child to parent: my handler threw on <paramref name="Message"/>; I am suspended until you decide.</summary>
internal sealed record Failed(ActorCell Child, Exception Cause, object? Message) : SystemMessage;

/// <summary>Parent to child: carry on with the same instance.</summary>
internal sealed record Resume : SystemMessage;

/// <summary>Parent to child, after the back-off: replace the instance.</summary>
internal sealed record Recreate(Exception Cause, object? Message) : SystemMessage;

/// <summary>Child to parent: I have stopped; forget me and free my name.</summary>
internal sealed record ChildTerminated(ActorCell Child) : SystemMessage;

/// <summary>Written to the user queue to wake a loop waiting there when a system message arrives.</summary>
internal sealed record WakeUp
{
    public static WakeUp Instance { get; } = new();
}
