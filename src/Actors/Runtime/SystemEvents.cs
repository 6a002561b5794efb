namespace Reasoner.Actors.Runtime;

/// <summary>Published on the event stream for a message that reached no actor: told to a stopped actor, left
/// in a stopped actor's mailbox, or a reply to a caller that gave no sender.</summary>
internal sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>Published when an actor had no handler for a message.</summary>
internal sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>Published for a failure no parent handled: an escalation that reached the top, an actor whose
/// factory threw, or an exception from <c>PostStop</c>/<c>PreRestart</c> (which cannot be supervised).</summary>
internal sealed record ActorFailed(IActorRef Actor, Exception Cause, object? Message);
