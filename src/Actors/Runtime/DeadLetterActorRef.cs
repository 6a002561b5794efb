namespace Reasoner.Actors.Runtime;

/// <summary>Sink of undeliverable messages: each one is published as a <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IActorRef
{
    public string Path => "/deadLetters";

    public void Tell(object message, IActorRef? sender = null) => Publish(message, sender, this);

    /// <summary>A message that did not reach <paramref name="recipient"/>.</summary>
    internal void Publish(object message, IActorRef? sender, IActorRef recipient) =>
        system.EventStream.Publish(new DeadLetter(message, sender, recipient));

    public override string ToString() => Path;
}
