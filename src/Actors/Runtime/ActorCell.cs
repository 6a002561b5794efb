using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Reasoner.Actors.Runtime;

/// <summary>
/// The machinery behind one actor: its mailbox, the loop that feeds the actor one message at a time, its
/// children and their supervision, and its watchers.
/// Mailbox: user messages on an unbounded channel (FIFO, so per-sender order holds), system messages on a
/// queue the loop drains first; a system message also writes <see cref="WakeUp"/> to the channel so a loop
/// waiting there sees it. After a failure the actor is suspended: user messages read meanwhile are kept,
/// in order, in <see cref="_deferred"/> until the parent resumes or restarts it.
/// Everything not marked otherwise is touched only by the loop.
/// </summary>
internal sealed class ActorCell : IActorContext
{
    private readonly Props _props;
    private readonly ActorCell? _parent;
    private readonly Channel<Envelope> _mailbox = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<SystemMessage> _systemMessages = new();
    private readonly Queue<Envelope> _deferred = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Children are added by ActorOf, which the user guardian serves from any thread.
    private readonly object _childrenLock = new();
    private readonly Dictionary<string, ActorCell> _children = [];
    private bool _childrenClosed;
    private int _generatedNames;

    // Watchers register from their own loops; _terminated flips under the same lock, so a watcher either
    // is in the set when termination notifies it or sees _terminated and is told at once.
    private readonly object _watchLock = new();
    private readonly HashSet<IActorRef> _watchers = [];
    private bool _terminated;

    private readonly HashSet<IActorRef> _watching = [];
    private readonly Dictionary<ActorCell, ChildRestartStats> _restartStats = [];
    private readonly List<ActorCell> _escalatedChildren = [];
    private OneForOneStrategy? _strategy;
    private Random? _backoffRandom;
    private ActorBase? _actor;
    private IActorRef? _sender;
    private bool _suspended;
    private volatile bool _stopRequested;

    private ActorCell(ActorSystem system, ActorCell? parent, Props props, string name, string path)
    {
        System = system;
        Name = name;
        _parent = parent;
        _props = props;
        SelfRef = new LocalActorRef(this, path);
    }

    public ActorSystem System { get; }

    internal LocalActorRef SelfRef { get; }

    internal string Name { get; }

    public IActorRef Self => SelfRef;

    public IActorRef Sender => _sender ?? System.DeadLetters;

    public IActorRef Parent => _parent?.Self ?? Self;

    public IReadOnlyCollection<IActorRef> Children
    {
        get { lock (_childrenLock) return [.. _children.Values.Select(c => c.Self)]; }
    }

    /// <summary>Completes when the actor has stopped, its children first. Any thread.</summary>
    internal Task Completion => _completion.Task;

    internal static ActorCell CreateGuardian(ActorSystem system)
    {
        var guardian = new ActorCell(system, null, Props.Create(() => new Guardian(system.Options.GuardianStrategy)), "user", "/user");
        guardian.Start();
        return guardian;
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ActorCell child;
        lock (_childrenLock)
        {
            if (_childrenClosed) throw new InvalidOperationException($"{Self.Path} is stopping and cannot create children.");
            if (name is null) name = $"${++_generatedNames}";
            else if (name.Length == 0 || name.Contains('/') || name.StartsWith('$'))
                throw new InvalidActorNameException($"Invalid actor name '{name}': it must be non-empty, without '/', and not start with '$'.");
            if (_children.ContainsKey(name))
                throw new InvalidActorNameException($"Actor name '{name}' is already taken under {Self.Path}.");
            child = new ActorCell(System, this, props, name, $"{Self.Path}/{name}");
            _children.Add(name, child);
        }
        child.Start();
        return child.Self;
    }

    public void Stop(IActorRef actor) => System.Stop(actor);

    public IActorRef Watch(IActorRef actor)
    {
        if (actor == Self || !_watching.Add(actor)) return actor;
        if (actor is LocalActorRef local) local.Cell.AddWatcher(Self);
        else Self.Tell(new Terminated(actor), actor); // not an actor of this system: never alive here
        return actor;
    }

    public IActorRef Unwatch(IActorRef actor)
    {
        if (_watching.Remove(actor) && actor is LocalActorRef local) local.Cell.RemoveWatcher(Self);
        return actor;
    }

    /// <summary>Any thread. After the mailbox closed (actor stopped), the message is a dead letter.</summary>
    internal void Post(Envelope envelope)
    {
        if (!_mailbox.Writer.TryWrite(envelope)) System.DeadLetterSink.Publish(envelope.Message, envelope.Sender, Self);
    }

    /// <summary>Any thread.</summary>
    internal void SendSystem(SystemMessage message)
    {
        _systemMessages.Enqueue(message);
        _mailbox.Writer.TryWrite(new Envelope(WakeUp.Instance, null));
    }

    /// <summary>Any thread: the loop stops after the message it is handling.</summary>
    internal void RequestStop()
    {
        _stopRequested = true;
        _mailbox.Writer.TryWrite(new Envelope(WakeUp.Instance, null));
    }

    private void Start() => _ = Task.Run(RunAsync);

    private void AddWatcher(IActorRef watcher)
    {
        lock (_watchLock)
        {
            if (!_terminated)
            {
                _watchers.Add(watcher);
                return;
            }
        }
        watcher.Tell(new Terminated(Self), Self);
    }

    private void RemoveWatcher(IActorRef watcher)
    {
        lock (_watchLock) _watchers.Remove(watcher);
    }

    private async Task RunAsync()
    {
        try
        {
            _actor = NewActor();
        }
        catch (Exception exception)
        {
            // Akka stops an actor whose constructor throws (ActorInitializationException): no instance to supervise.
            System.EventStream.Publish(new ActorFailed(Self, exception, null));
            await FinishAsync();
            return;
        }
        await InvokeAsync(() => { _actor.AroundPreStart(); return Task.CompletedTask; }, null);

        var reader = _mailbox.Reader;
        while (!_stopRequested)
        {
            if (_systemMessages.TryDequeue(out var system)) await HandleSystemAsync(system);
            else if (!_suspended && _deferred.TryDequeue(out var deferred)) await HandleUserAsync(deferred);
            else if (reader.TryRead(out var envelope))
            {
                if (envelope.Message is WakeUp) continue;
                if (_suspended) _deferred.Enqueue(envelope);
                else await HandleUserAsync(envelope);
            }
            else await reader.WaitToReadAsync();
        }
        await FinishAsync();
    }

    private ActorBase NewActor()
    {
        var actor = _props.NewActor();
        actor.Attach(this);
        return actor;
    }

    private Task HandleUserAsync(Envelope envelope)
    {
        switch (envelope.Message)
        {
            case PoisonPill:
                _stopRequested = true;
                return Task.CompletedTask;
            case Terminated terminated when !_watching.Remove(terminated.ActorRef):
                return Task.CompletedTask; // unwatched meanwhile, or a duplicate
            default:
                _sender = envelope.Sender;
                return InvokeAsync(() => _actor!.AroundReceiveAsync(envelope.Message), envelope.Message);
        }
    }

    /// <summary>Runs a handler or hook; an exception suspends the actor and asks the parent what to do.</summary>
    private async Task InvokeAsync(Func<Task> body, object? message)
    {
        try
        {
            await body();
        }
        catch (Exception exception)
        {
            Fail(exception, message);
        }
        finally
        {
            _sender = null;
        }
    }

    private void Fail(Exception cause, object? message)
    {
        _suspended = true;
        if (_parent is not null) _parent.SendSystem(new Failed(this, cause, message));
        else
        {
            System.EventStream.Publish(new ActorFailed(Self, cause, message));
            _suspended = false;
        }
    }

    private async Task HandleSystemAsync(SystemMessage message)
    {
        switch (message)
        {
            case Failed failed:
                HandleChildFailure(failed);
                break;
            case Resume:
                _suspended = false;
                foreach (var child in _escalatedChildren) child.SendSystem(new Resume());
                _escalatedChildren.Clear();
                break;
            case Recreate recreate:
                await RestartAsync(recreate);
                break;
            case ChildTerminated terminated:
                RemoveChild(terminated.Child);
                _restartStats.Remove(terminated.Child);
                _escalatedChildren.Remove(terminated.Child);
                break;
        }
    }

    private void HandleChildFailure(Failed failed)
    {
        bool isChild;
        lock (_childrenLock) isChild = _children.ContainsValue(failed.Child);
        if (!isChild) return; // stopped meanwhile

        Directive directive;
        try
        {
            _strategy ??= _actor!.AroundSupervisorStrategy();
            directive = _strategy.Decider(failed.Cause);
        }
        catch (Exception deciderFailure)
        {
            // A strategy that cannot decide is this actor's own failure: escalate it, child left suspended.
            failed = failed with { Cause = deciderFailure };
            directive = Directive.Escalate;
        }
        switch (directive)
        {
            case Directive.Resume:
                failed.Child.SendSystem(new Resume());
                break;
            case Directive.Stop:
                failed.Child.RequestStop();
                break;
            case Directive.Restart:
                var strategy = _strategy!; // set, or the decider could not have chosen Restart
                if (!_restartStats.TryGetValue(failed.Child, out var stats)) _restartStats[failed.Child] = stats = new ChildRestartStats();
                if (!stats.TryCountRestart(strategy, System.Options.Clock.GetUtcNow()))
                {
                    failed.Child.RequestStop();
                    break;
                }
                _backoffRandom ??= new Random(strategy.Backoff.Seed);
                var delay = strategy.Backoff.DelayFor(stats.RestartsInWindow, _backoffRandom);
                var recreate = new Recreate(failed.Cause, failed.Message);
                if (delay > TimeSpan.Zero) System.ScheduleSystemMessage(delay, failed.Child, recreate);
                else failed.Child.SendSystem(recreate);
                break;
            case Directive.Escalate when _parent is null:
                System.EventStream.Publish(new ActorFailed(failed.Child.Self, failed.Cause, failed.Message));
                failed.Child.RequestStop();
                break;
            case Directive.Escalate:
                _escalatedChildren.Add(failed.Child);
                Fail(failed.Cause, null);
                break;
        }
    }

    private async Task RestartAsync(Recreate recreate)
    {
        try
        {
            _actor!.AroundPreRestart(recreate.Cause, recreate.Message);
        }
        catch (Exception exception)
        {
            System.EventStream.Publish(new ActorFailed(Self, exception, recreate.Message));
        }
        // The fresh instance starts without children (Akka's default PreRestart); it never watched them.
        foreach (var child in await StopChildrenAsync(closeForever: false)) _watching.Remove(child.Self);
        _escalatedChildren.Clear();
        try
        {
            _actor = NewActor();
        }
        catch (Exception exception)
        {
            Fail(exception, null); // stay suspended; the parent decides again (and counts it)
            return;
        }
        _suspended = false;
        await InvokeAsync(() => { _actor.AroundPostRestart(recreate.Cause); return Task.CompletedTask; }, null);
    }

    private async Task<ActorCell[]> StopChildrenAsync(bool closeForever)
    {
        ActorCell[] children;
        lock (_childrenLock)
        {
            _childrenClosed |= closeForever;
            children = [.. _children.Values];
        }
        foreach (var child in children) child.RequestStop();
        await Task.WhenAll(children.Select(c => c.Completion));
        foreach (var child in children) RemoveChild(child);
        return children;
    }

    /// <summary>Frees the child's name, unless a new sibling already took it.</summary>
    private void RemoveChild(ActorCell child)
    {
        lock (_childrenLock)
            if (_children.TryGetValue(child.Name, out var current) && current == child) _children.Remove(child.Name);
    }

    private async Task FinishAsync()
    {
        _stopRequested = true;
        await StopChildrenAsync(closeForever: true);
        if (_actor is not null)
        {
            try
            {
                _actor.AroundPostStop();
            }
            catch (Exception exception)
            {
                System.EventStream.Publish(new ActorFailed(Self, exception, null));
            }
        }

        _mailbox.Writer.TryComplete();
        while (_deferred.TryDequeue(out var deferred)) System.DeadLetterSink.Publish(deferred.Message, deferred.Sender, Self);
        while (_mailbox.Reader.TryRead(out var envelope))
            if (envelope.Message is not WakeUp) System.DeadLetterSink.Publish(envelope.Message, envelope.Sender, Self);

        // The name is freed before watchers hear of the stop, so a watcher may at once reuse it.
        _parent?.RemoveChild(this);
        IActorRef[] watchers;
        lock (_watchLock)
        {
            _terminated = true;
            watchers = [.. _watchers];
            _watchers.Clear();
        }
        foreach (var watcher in watchers) watcher.Tell(new Terminated(Self), Self);
        foreach (var watched in _watching) if (watched is LocalActorRef local) local.Cell.RemoveWatcher(Self);
        _parent?.SendSystem(new ChildTerminated(this));
        _completion.SetResult();
    }

    /// <summary>The user guardian: parent of top-level actors, handles nothing itself.</summary>
    private sealed class Guardian(OneForOneStrategy strategy) : ActorBase
    {
        protected override Task OnReceiveAsync(object message)
        {
            Unhandled(message);
            return Task.CompletedTask;
        }

        protected override OneForOneStrategy SupervisorStrategy() => strategy;
    }
}
