using System.Threading.Channels;
using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests;

/// <summary>Shared by the tests: a guard against deadlocks (never an assertion about speed).</summary>
internal static class Guard
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Timeout);

    public static Task Within(Task task) => task.WaitAsync(Timeout);
}

/// <summary>An actor that records everything it receives, for tests to read in order (Akka's TestProbe).</summary>
internal sealed class TestProbe
{
    private readonly Channel<(object Message, IActorRef Sender)> _received = Channel.CreateUnbounded<(object, IActorRef)>();

    public TestProbe(ActorSystem system, string name = "probe") =>
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(_received.Writer)), name);

    public IActorRef Ref { get; }

    public IActorRef LastSender { get; private set; } = null!;

    public async Task<T> ExpectMsgAsync<T>()
    {
        var (message, sender) = await Guard.Within(_received.Reader.ReadAsync().AsTask());
        LastSender = sender;
        return Assert.IsType<T>(message);
    }

    public bool HasMessages => _received.Reader.TryPeek(out _);

    /// <summary>Returns once the probe watches <paramref name="target"/>.</summary>
    public Task WatchAsync(IActorRef target) => Ref.Ask<Done>(new WatchCommand(target), Guard.Timeout);

    public Task UnwatchAsync(IActorRef target) => Ref.Ask<Done>(new UnwatchCommand(target), Guard.Timeout);

    private sealed record WatchCommand(IActorRef Target);

    private sealed record UnwatchCommand(IActorRef Target);

    private sealed record Done;

    private sealed class ProbeActor : ReceiveActor
    {
        public ProbeActor(ChannelWriter<(object, IActorRef)> received)
        {
            Receive<WatchCommand>(c => { Context.Watch(c.Target); Sender.Tell(new Done(), Self); });
            Receive<UnwatchCommand>(c => { Context.Unwatch(c.Target); Sender.Tell(new Done(), Self); });
            ReceiveAny(m => received.TryWrite((m, Sender)));
        }
    }
}

/// <summary>
/// An injected <see cref="ActorSystemOptions.Delay"/>: records every requested delay and, unless it
/// completes at once, holds it until the test releases it, so timers fire exactly when a test says.
/// </summary>
internal sealed class ManualDelay(bool completeAtOnce)
{
    private readonly Channel<TimeSpan> _requests = Channel.CreateUnbounded<TimeSpan>();
    private readonly List<TaskCompletionSource> _pending = [];

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        _requests.Writer.TryWrite(delay);
        if (completeAtOnce) return Task.CompletedTask;
        var timer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending) _pending.Add(timer);
        return timer.Task;
    }

    public Task<TimeSpan> NextRequestAsync() => Guard.Within(_requests.Reader.ReadAsync().AsTask());

    public void ReleaseAll()
    {
        TaskCompletionSource[] timers;
        lock (_pending)
        {
            timers = [.. _pending];
            _pending.Clear();
        }
        foreach (var timer in timers) timer.SetResult();
    }
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly object _lock = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock) _now += by;
    }
}
