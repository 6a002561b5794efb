using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

public class DeathWatchTests
{
    [Fact]
    public async Task AWatcherIsToldWhenTheWatchedActorStops()
    {
        await using var system = ActorSystem.Create("watch");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        await probe.WatchAsync(echo);

        system.Stop(echo);

        Assert.Same(echo, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    [Fact]
    public async Task WatchingAnAlreadyDeadActorDeliversTerminatedAtOnce()
    {
        await using var system = ActorSystem.Create("dead");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        Assert.True(await echo.GracefulStop(Guard.Timeout));

        await probe.WatchAsync(echo);

        Assert.Same(echo, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
    }

    [Fact]
    public async Task AfterUnwatchNoTerminatedArrives()
    {
        await using var system = ActorSystem.Create("unwatch");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        await probe.WatchAsync(echo);
        await probe.UnwatchAsync(echo);

        Assert.True(await echo.GracefulStop(Guard.Timeout));
        probe.Ref.Tell("marker");

        Assert.Equal("marker", await probe.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task EveryWatcherIsToldOnce()
    {
        await using var system = ActorSystem.Create("watchers");
        var first = new TestProbe(system, "first");
        var second = new TestProbe(system, "second");
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        await first.WatchAsync(echo);
        await first.WatchAsync(echo);
        await second.WatchAsync(echo);

        Assert.True(await echo.GracefulStop(Guard.Timeout));
        first.Ref.Tell("marker");

        await first.ExpectMsgAsync<Terminated>();
        Assert.Equal("marker", await first.ExpectMsgAsync<string>());
        await second.ExpectMsgAsync<Terminated>();
    }
}
