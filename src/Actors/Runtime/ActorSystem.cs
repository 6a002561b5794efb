namespace Reasoner.Actors.Runtime;

/// <summary>
/// Root of an actor hierarchy: top-level actors are children of the user guardian ("/user"), and
/// terminating the system stops the guardian, which stops every actor depth-first (children before their
/// parent's PostStop). One system per experiment run; there is no global instance.
/// </summary>
internal sealed class ActorSystem : IAsyncDisposable
{
    private readonly ActorCell _guardian;
    private readonly CancellationTokenSource _shutdown = new();
    private int _askCount;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        DeadLetterSink = new DeadLetterActorRef(this);
        _guardian = ActorCell.CreateGuardian(this);
    }

    public string Name { get; }

    public ActorSystemOptions Options { get; }

    public EventStream EventStream { get; } = new();

    /// <summary>Telling this publishes a <see cref="DeadLetter"/>; it is the Sender of messages told without one.</summary>
    public IActorRef DeadLetters => DeadLetterSink;

    internal DeadLetterActorRef DeadLetterSink { get; }

    /// <summary>Completes once every actor has stopped.</summary>
    public Task WhenTerminated => _guardian.Completion;

    public static ActorSystem Create(string name, ActorSystemOptions? options = null) => new(name, options ?? new ActorSystemOptions());

    /// <summary>Creates a top-level actor "/user/<paramref name="name"/>". Throws InvalidOperationException
    /// once the system is terminating.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _guardian.ActorOf(props, name);

    /// <summary>Stops <paramref name="actor"/> right after the message it is handling.</summary>
    public void Stop(IActorRef actor)
    {
        if (actor is LocalActorRef local) local.Cell.RequestStop();
    }

    /// <summary>Stops every actor and waits for all PostStop hooks; pending scheduled messages are dropped.</summary>
    public async Task Terminate()
    {
        await _shutdown.CancelAsync();
        _guardian.RequestStop();
        await _guardian.Completion;
    }

    // The shutdown source is not disposed: it owns no timer, and ScheduleTellOnce after termination must
    // still read its (cancelled) token.
    public ValueTask DisposeAsync() => new(Terminate());

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="delay"/>
    /// (through <see cref="ActorSystemOptions.Delay"/>), unless the system terminates first.</summary>
    public void ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender) =>
        _ = AfterDelayAsync(delay, () => receiver.Tell(message, sender));

    internal void ScheduleSystemMessage(TimeSpan delay, ActorCell receiver, SystemMessage message) =>
        _ = AfterDelayAsync(delay, () => receiver.SendSystem(message));

    internal string NextAskPath() => $"/temp/ask{Interlocked.Increment(ref _askCount)}";

    private async Task AfterDelayAsync(TimeSpan delay, Action action)
    {
        try
        {
            await Options.Delay(delay, _shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            return; // the system terminated: the receivers are gone
        }
        action();
    }
}
