namespace Reasoner.Actors.Runtime;

/// <summary>
/// The only handle other code holds on an actor, as in Akka: messages go in, nothing comes out
/// synchronously. Telling a stopped actor never throws; the message goes to the dead letters.
/// </summary>
internal interface IActorRef
{
    /// <summary>"/user/parent/child" for actors, "/deadLetters" and "/temp/askN" for the system's own refs.</summary>
    string Path { get; }

    /// <summary>Enqueues <paramref name="message"/>; <paramref name="sender"/> is what the receiver sees as
    /// <c>Sender</c> (null: no reply is expected, replies go to the dead letters).</summary>
    void Tell(object message, IActorRef? sender = null);
}
