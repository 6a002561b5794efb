using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

/// <summary>Supervision as a parent's strategy applies it to a failing child.</summary>
public class OneForOneStrategyTests
{
    private static readonly BackoffOptions NoJitter = new() { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(500), RandomFactor = 0 };

    private static async Task<IActorRef> SpawnChildAsync(ActorSystem system, OneForOneStrategy strategy, IActorRef? events = null)
    {
        var parent = system.ActorOf(Props.Create(() => new Parent(strategy)), "parent");
        return await parent.Ask<IActorRef>(new Parent.CreateChild(Props.Create(() => new Counter(events)), "counter"), Guard.Timeout);
    }

    private static async Task<IActorRef> CountedAsync(IActorRef counter, int increments)
    {
        for (var i = 0; i < increments; i++) counter.Tell(new Counter.Increment());
        return counter;
    }

    [Fact]
    public async Task ResumeKeepsTheInstanceAndItsState()
    {
        await using var system = ActorSystem.Create("resume");
        var counter = await CountedAsync(await SpawnChildAsync(system, new OneForOneStrategy(_ => Directive.Resume)), 3);

        counter.Tell(new Counter.Fail(new InvalidOperationException("boom")));
        counter.Tell(new Counter.Increment());

        Assert.Equal(4, await counter.Ask<int>(new Counter.GetCount(), Guard.Timeout));
    }

    [Fact]
    public async Task RestartMakesAFreshInstanceThatKeepsTheMailboxAndSeesTheFailedMessage()
    {
        var delay = new ManualDelay(completeAtOnce: true);
        await using var system = ActorSystem.Create("restart", new ActorSystemOptions { Delay = delay.Delay });
        var events = new TestProbe(system, "events");
        var counter = await SpawnChildAsync(system, new OneForOneStrategy(_ => Directive.Restart) { Backoff = NoJitter }, events.Ref);
        await events.ExpectMsgAsync<Counter.Started>();
        await CountedAsync(counter, 3);

        var failing = new Counter.Fail(new InvalidOperationException("boom"));
        counter.Tell(failing);
        counter.Tell(new Counter.Increment()); // queued behind the failure: kept for the new instance

        var restarting = await events.ExpectMsgAsync<Counter.Restarting>();
        Assert.Same(failing, restarting.Message);
        Assert.Same(failing.Exception, restarting.Reason);
        await events.ExpectMsgAsync<Counter.Stopped>(); // default PreRestart runs PostStop
        await events.ExpectMsgAsync<Counter.Started>(); // default PostRestart runs PreStart
        Assert.Equal(1, await counter.Ask<int>(new Counter.GetCount(), Guard.Timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(100), await delay.NextRequestAsync());
    }

    [Fact]
    public async Task RestartBackOffDoublesAndTheChildStopsPastTheRetryLimit()
    {
        var delay = new ManualDelay(completeAtOnce: true);
        await using var system = ActorSystem.Create("limit", new ActorSystemOptions { Delay = delay.Delay, Clock = new ManualClock() });
        var probe = new TestProbe(system);
        var strategy = new OneForOneStrategy(_ => Directive.Restart) { MaxRetries = 4, WithinTimeRange = TimeSpan.FromMinutes(1), Backoff = NoJitter };
        var counter = await SpawnChildAsync(system, strategy);
        await probe.WatchAsync(counter);

        for (var failure = 1; failure <= 4; failure++)
        {
            counter.Tell(new Counter.Fail(new InvalidOperationException($"failure {failure}")));
            Assert.Equal(0, await counter.Ask<int>(new Counter.GetCount(), Guard.Timeout)); // restarted, fresh state
        }
        counter.Tell(new Counter.Fail(new InvalidOperationException("one too many")));

        Assert.Same(counter, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
        TimeSpan[] backoffs = [await delay.NextRequestAsync(), await delay.NextRequestAsync(), await delay.NextRequestAsync(), await delay.NextRequestAsync()];
        Assert.Equal([100, 200, 400, 500], backoffs.Select(b => b.TotalMilliseconds));
    }

    [Fact]
    public async Task TheRetryCountStartsAgainOnceTheWindowHasPassed()
    {
        var delay = new ManualDelay(completeAtOnce: true);
        var clock = new ManualClock();
        await using var system = ActorSystem.Create("window", new ActorSystemOptions { Delay = delay.Delay, Clock = clock });
        var probe = new TestProbe(system);
        var strategy = new OneForOneStrategy(_ => Directive.Restart) { MaxRetries = 2, WithinTimeRange = TimeSpan.FromMinutes(1), Backoff = NoJitter };
        var counter = await SpawnChildAsync(system, strategy);
        await probe.WatchAsync(counter);

        for (var failure = 1; failure <= 6; failure++)
        {
            counter.Tell(new Counter.Fail(new InvalidOperationException($"failure {failure}")));
            await counter.Ask<int>(new Counter.GetCount(), Guard.Timeout);
            if (failure % 2 == 0) clock.Advance(TimeSpan.FromMinutes(2));
        }
        var restarts = new List<double>();
        for (var i = 0; i < 6; i++) restarts.Add((await delay.NextRequestAsync()).TotalMilliseconds);

        Assert.Equal([100, 200, 100, 200, 100, 200], restarts);
        Assert.False(probe.HasMessages); // never stopped
    }

    [Fact]
    public async Task TheDeciderChoosesPerExceptionType()
    {
        await using var system = ActorSystem.Create("decider");
        var probe = new TestProbe(system);
        var strategy = new OneForOneStrategy(e => e is ArgumentException ? Directive.Resume : Directive.Stop);
        var counter = await CountedAsync(await SpawnChildAsync(system, strategy), 2);
        await probe.WatchAsync(counter);

        counter.Tell(new Counter.Fail(new ArgumentException("resumable")));
        Assert.Equal(2, await counter.Ask<int>(new Counter.GetCount(), Guard.Timeout));
        counter.Tell(new Counter.Fail(new InvalidOperationException("fatal")));

        Assert.Same(counter, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    [Fact]
    public async Task EscalateFailsTheParentWhichItsOwnSupervisorRestarts()
    {
        await using var system = ActorSystem.Create("escalate", new ActorSystemOptions { GuardianStrategy = OneForOneStrategy.Default with { Backoff = BackoffOptions.Immediate } });
        var probe = new TestProbe(system);
        var counter = await SpawnChildAsync(system, new OneForOneStrategy(_ => Directive.Escalate));
        await probe.WatchAsync(counter);

        counter.Tell(new Counter.Fail(new InvalidOperationException("escalated")));

        // The parent restarts, and a restarting actor stops its children.
        Assert.Same(counter, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    [Fact]
    public async Task EscalationFromATopLevelActorStopsItAndIsPublished()
    {
        await using var system = ActorSystem.Create("top", new ActorSystemOptions { GuardianStrategy = new OneForOneStrategy(_ => Directive.Escalate) });
        var probe = new TestProbe(system);
        var failed = new TaskCompletionSource<ActorFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = system.EventStream.Subscribe<ActorFailed>(f => failed.TrySetResult(f));
        var counter = system.ActorOf(Props.Create(() => new Counter(null)), "counter");
        await probe.WatchAsync(counter);

        var cause = new InvalidOperationException("nobody above");
        counter.Tell(new Counter.Fail(cause));

        Assert.Same(cause, (await Guard.Within(failed.Task)).Cause);
        Assert.Same(counter, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    /// <summary>Fails the first attempt of every job; PreRestart puts the job back in its own mailbox.</summary>
    private sealed class Retrying : ReceiveActor
    {
        private IActorRef _asker = null!;

        public sealed record Job(int Id);

        public Retrying(int[] attempts) =>
            Receive<Job>(job =>
            {
                if (++attempts[job.Id] == 1)
                {
                    _asker = Sender;
                    throw new InvalidOperationException($"first attempt of job {job.Id}");
                }
                Sender.Tell(attempts[job.Id], Self);
            });

        protected override void PreRestart(Exception reason, object? message)
        {
            if (message is Job job) Self.Tell(job, _asker);
            base.PreRestart(reason, message);
        }
    }

    [Fact]
    public async Task AFailedMessageReToldFromPreRestartIsHandledByTheFreshInstance()
    {
        await using var system = ActorSystem.Create("requeue", new ActorSystemOptions { GuardianStrategy = OneForOneStrategy.Default with { Backoff = BackoffOptions.Immediate } });
        var attempts = new int[3];
        var actor = system.ActorOf(Props.Create(() => new Retrying(attempts)), "retrying");

        var replies = await Guard.Within(Task.WhenAll(Enumerable.Range(0, 3).Select(id => actor.Ask<int>(new Retrying.Job(id), Guard.Timeout))));

        Assert.Equal([2, 2, 2], replies);
    }

    [Fact]
    public async Task ADeciderThatThrowsEscalatesItsOwnException()
    {
        await using var system = ActorSystem.Create("bad-decider", new ActorSystemOptions { GuardianStrategy = new OneForOneStrategy(_ => Directive.Escalate) });
        var failed = new TaskCompletionSource<ActorFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = system.EventStream.Subscribe<ActorFailed>(f => failed.TrySetResult(f));
        var deciderBug = new NotSupportedException("decider bug");
        var counter = await SpawnChildAsync(system, new OneForOneStrategy(_ => throw deciderBug));

        counter.Tell(new Counter.Fail(new InvalidOperationException("child")));

        var published = await Guard.Within(failed.Task);

        Assert.Same(deciderBug, published.Cause);
        Assert.Equal("/user/parent", published.Actor.Path);
    }
}
