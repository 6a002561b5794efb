namespace Reasoner.Actors.Runtime;

/// <summary>Sink of undeliverable messages: each one is published as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IActorRef
{
    public string Path => "/deadLetters";

    public void Tell(object message, IActorRef? sender = null) =>
        system.EventStream.Publish(new DeadLetter(message, sender, this));

    public override string ToString() => Path;
}
