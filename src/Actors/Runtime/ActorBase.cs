namespace Reasoner.Actors.Runtime;

/// <summary>
/// An actor instance: private state touched only by its own mailbox loop, one message at a time. The
/// lifecycle hooks keep Akka's names and order: PreStart; on failure and Restart, PreRestart on the old
/// instance then PostRestart on the new; PostStop last.
/// </summary>
internal abstract class ActorBase
{
    private IActorContext? _context;

    /// <summary>Set right after construction, so use it from PreStart and handlers, not the constructor
    /// (Akka sets it earlier through a thread-static; we keep no static state).</summary>
    protected IActorContext Context =>
        _context ?? throw new InvalidOperationException($"{GetType().Name}: Context is available from PreStart on, not in the constructor.");

    protected IActorRef Self => Context.Self;

    protected IActorRef Sender => Context.Sender;

    internal void Attach(IActorContext context) => _context = context;

    // The cell's entry points (Akka's Around* methods), so the hooks stay protected in subclasses.
    internal Task AroundReceiveAsync(object message) => OnReceiveAsync(message);
    internal void AroundPreStart() => PreStart();
    internal void AroundPostStop() => PostStop();
    internal void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);
    internal void AroundPostRestart(Exception reason) => PostRestart(reason);
    internal OneForOneStrategy AroundSupervisorStrategy() => SupervisorStrategy();

    /// <summary>Handles one message; the mailbox waits for the returned task before the next one.</summary>
    protected abstract Task OnReceiveAsync(object message);

    /// <summary>Called for messages no handler takes; publishes <see cref="UnhandledMessage"/>.</summary>
    protected virtual void Unhandled(object message) =>
        Context.System.EventStream.Publish(new UnhandledMessage(message, Sender, Self));

    protected virtual void PreStart() { }

    /// <summary>After the last message, once every child has stopped.</summary>
    protected virtual void PostStop() { }

    /// <summary>On the failed instance before it is replaced. <paramref name="message"/> is the one whose
    /// handling threw (null if a hook threw): re-tell it to Self or report it to the parent so that a
    /// restart loses no work. Children are stopped after this hook returns.</summary>
    protected virtual void PreRestart(Exception reason, object? message) => PostStop();

    /// <summary>On the fresh instance; by default runs PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor handles its children's failures; read once per actor.</summary>
    protected virtual OneForOneStrategy SupervisorStrategy() => OneForOneStrategy.Default;
}
