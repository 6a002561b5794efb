using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

public class ActorSystemTests
{
    private sealed class Tree : ReceiveActor
    {
        private readonly int _depth;
        private readonly List<string> _stopped;

        public Tree(int depth, List<string> stopped)
        {
            _depth = depth;
            _stopped = stopped;
            Receive<string>(_ => Sender.Tell(Context.Children.Count, Self));
        }

        protected override void PreStart()
        {
            if (_depth == 0) return;
            for (var i = 0; i < 2; i++) Context.ActorOf(Props.Create(() => new Tree(_depth - 1, _stopped)), $"n{i}");
        }

        protected override void PostStop()
        {
            lock (_stopped) _stopped.Add(Self.Path);
        }
    }

    [Fact]
    public async Task TerminateStopsEveryActorChildrenFirstAndCompletes()
    {
        var stopped = new List<string>();
        var system = ActorSystem.Create("terminate");
        var root = system.ActorOf(Props.Create(() => new Tree(3, stopped)), "root");
        Assert.Equal(2, await root.Ask<int>("children?", Guard.Timeout));

        await Guard.Within(system.Terminate());

        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Equal(15, stopped.Count);
        foreach (var path in stopped)
        {
            var parentPath = path[..path.LastIndexOf('/')];
            if (parentPath != "/user") Assert.True(stopped.IndexOf(path) < stopped.IndexOf(parentPath), $"{path} stopped after its parent");
        }
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create<Echo>(), "late"));
    }

    [Fact]
    public async Task MessagesToAStoppedActorBecomeDeadLettersNotExceptions()
    {
        await using var system = ActorSystem.Create("letters");
        var deadLetter = new TaskCompletionSource<DeadLetter>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = system.EventStream.Subscribe<DeadLetter>(d => deadLetter.TrySetResult(d));
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        var probe = new TestProbe(system);
        Assert.True(await echo.GracefulStop(Guard.Timeout));

        echo.Tell("anyone?", probe.Ref);

        var letter = await Guard.Within(deadLetter.Task);
        Assert.Equal("anyone?", letter.Message);
        Assert.Same(probe.Ref, letter.Sender);
        Assert.Same(echo, letter.Recipient);
    }

    [Fact]
    public async Task ANameIsFreeAgainOnceItsActorHasStopped()
    {
        await using var system = ActorSystem.Create("names");
        var probe = new TestProbe(system);
        var first = system.ActorOf(Props.Create<Echo>(), "echo");
        await probe.WatchAsync(first);
        system.Stop(first);
        await probe.ExpectMsgAsync<Terminated>();

        var second = system.ActorOf(Props.Create<Echo>(), "echo");

        Assert.NotSame(first, second);
        Assert.Equal(7, await second.Ask<int>(7, Guard.Timeout));
    }

    [Fact]
    public async Task ScheduledMessagesArriveWhenTheInjectedDelayCompletes()
    {
        var delay = new ManualDelay(completeAtOnce: false);
        await using var system = ActorSystem.Create("schedule", new ActorSystemOptions { Delay = delay.Delay });
        var probe = new TestProbe(system);

        system.ScheduleTellOnce(TimeSpan.FromSeconds(30), probe.Ref, "later", null);
        Assert.Equal(TimeSpan.FromSeconds(30), await delay.NextRequestAsync());
        probe.Ref.Tell("now");
        delay.ReleaseAll();

        Assert.Equal("now", await probe.ExpectMsgAsync<string>());
        Assert.Equal("later", await probe.ExpectMsgAsync<string>());
    }
}
