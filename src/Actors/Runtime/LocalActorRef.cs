namespace Reasoner.Actors.Runtime;

/// <summary>The ref of an actor in this process; one instance per actor, so refs compare by reference.</summary>
internal sealed class LocalActorRef(ActorCell cell, string path) : IActorRef
{
    internal ActorCell Cell { get; } = cell;

    public string Path { get; } = path;

    public void Tell(object message, IActorRef? sender = null) => Cell.Post(new Envelope(message, sender));

    public override string ToString() => Path;
}
