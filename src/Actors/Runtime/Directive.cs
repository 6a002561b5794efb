namespace Reasoner.Actors.Runtime;

/// <summary>What a parent does with a child that threw (Akka's names and meanings).</summary>
internal enum Directive
{
    /// <summary>Keep the instance and its state; the failing message is dropped.</summary>
    Resume,
    /// <summary>After a back-off, replace the instance by a fresh one from its Props; the mailbox is kept.</summary>
    Restart,
    /// <summary>Stop the child; its watchers get <see cref="Terminated"/>.</summary>
    Stop,
    /// <summary>Fail the parent with the same exception, to be decided by the grandparent.</summary>
    Escalate,
}
