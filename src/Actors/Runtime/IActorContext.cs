namespace Reasoner.Actors.Runtime;

/// <summary>What an actor sees of itself and the system while it handles a message (Akka's <c>Context</c>).
/// Only valid on the actor's own mailbox loop: in hooks and handlers, never from another thread.</summary>
internal interface IActorContext
{
    IActorRef Self { get; }

    /// <summary>Sender of the message being handled; the dead letters when it was told without one.</summary>
    IActorRef Sender { get; }

    /// <summary>The creating actor; for top-level actors the system's user guardian.</summary>
    IActorRef Parent { get; }

    IReadOnlyCollection<IActorRef> Children { get; }

    ActorSystem System { get; }

    /// <summary>Creates and starts a child supervised by this actor. <paramref name="name"/> must be unique
    /// among living siblings; null generates "$1", "$2", ...</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops <paramref name="actor"/> (a child or Self) right after the message it is handling.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> to Self when <paramref name="actor"/> stops, at once if it
    /// already has.</summary>
    IActorRef Watch(IActorRef actor);

    /// <summary>No <see cref="Terminated"/> for <paramref name="actor"/> is handled after this, even one
    /// already in the mailbox.</summary>
    IActorRef Unwatch(IActorRef actor);
}
