using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

public class ActorCellTests
{
    private sealed record Numbered(int Sender, int Sequence);

    [Fact]
    public async Task MessagesFromEachSenderArriveInTheOrderTheyWereTold()
    {
        await using var system = ActorSystem.Create("order");
        var probe = new TestProbe(system);
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        const int senders = 4, perSender = 500;

        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++) echo.Tell(new Numbered(s, i), probe.Ref);
        })));

        var next = new int[senders];
        for (var i = 0; i < senders * perSender; i++)
        {
            var message = await probe.ExpectMsgAsync<Numbered>();
            Assert.Equal(next[message.Sender]++, message.Sequence);
        }
        Assert.All(next, n => Assert.Equal(perSender, n));
    }

    [Fact]
    public async Task AnActorHandlesOneMessageAtATimeEvenWithAsyncHandlers()
    {
        await using var system = ActorSystem.Create("serial");
        var concurrent = 0;
        var maxConcurrent = 0;
        var actor = system.ActorOf(Props.Create(() => new AsyncWorker(async () =>
        {
            maxConcurrent = Math.Max(maxConcurrent, Interlocked.Increment(ref concurrent));
            await Task.Yield();
            Interlocked.Decrement(ref concurrent);
        })), "worker");

        var replies = Enumerable.Range(0, 50).Select(i => actor.Ask<int>(i, Guard.Timeout)).ToArray();

        Assert.Equal(Enumerable.Range(0, 50), await Guard.Within(Task.WhenAll(replies)));
        Assert.Equal(1, maxConcurrent);
    }

    private sealed class AsyncWorker : ReceiveActor
    {
        public AsyncWorker(Func<Task> work) => ReceiveAsync<int>(async i => { await work(); Sender.Tell(i, Self); });
    }

    [Fact]
    public async Task ChildrenKnowTheirParentAndHaveUniqueNamedPaths()
    {
        await using var system = ActorSystem.Create("family");
        var parent = system.ActorOf(Props.Create(() => new Parent(OneForOneStrategy.Default)), "parent");

        var child = await parent.Ask<IActorRef>(new Parent.CreateChild(Props.Create<ParentReporter>(), "child"), Guard.Timeout);
        var generated = await parent.Ask<IActorRef>(new Parent.CreateChild(Props.Create<ParentReporter>(), null), Guard.Timeout);

        Assert.Equal("/user/parent/child", child.Path);
        Assert.Equal("/user/parent/$1", generated.Path);
        Assert.Same(parent, await child.Ask<IActorRef>("parent?", Guard.Timeout));
        Assert.Equal([generated, child], (await parent.Ask<IReadOnlyCollection<IActorRef>>(new Parent.GetChildren(), Guard.Timeout)).OrderBy(c => c.Path, StringComparer.Ordinal));
        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Props.Create<Echo>(), "parent"));
        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Props.Create<Echo>(), "a/b"));
    }

    private sealed class ParentReporter : ReceiveActor
    {
        public ParentReporter() => Receive<string>(_ => Sender.Tell(Context.Parent, Self));
    }

    [Fact]
    public async Task PoisonPillStopsAfterTheMessagesToldBeforeIt()
    {
        await using var system = ActorSystem.Create("poison");
        var probe = new TestProbe(system);
        var deadLetters = new List<object>();
        using var subscription = system.EventStream.Subscribe<DeadLetter>(d => { lock (deadLetters) deadLetters.Add(d.Message); });
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");
        await probe.WatchAsync(echo);

        echo.Tell(1, probe.Ref);
        echo.Tell(2, probe.Ref);
        echo.Tell(PoisonPill.Instance, probe.Ref);
        echo.Tell(3, probe.Ref);

        Assert.Equal(1, await probe.ExpectMsgAsync<int>());
        Assert.Equal(2, await probe.ExpectMsgAsync<int>());
        Assert.Same(echo, (await probe.ExpectMsgAsync<Terminated>()).ActorRef);
        lock (deadLetters) Assert.Equal([3], deadLetters);
    }

    [Fact]
    public async Task StopTakesEffectRightAfterTheCurrentMessage()
    {
        await using var system = ActorSystem.Create("stop");
        var probe = new TestProbe(system);
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var handled = new List<int>();
        var actor = system.ActorOf(Props.Create(() => new Blocking(started, release.Task, handled)), "blocking");
        await probe.WatchAsync(actor);

        actor.Tell(1);
        await Guard.Within(started.Task);
        actor.Tell(2);
        actor.Tell(3);
        system.Stop(actor);
        release.SetResult();

        await probe.ExpectMsgAsync<Terminated>();
        Assert.Equal([1], handled);
    }

    private sealed class Blocking : ReceiveActor
    {
        public Blocking(TaskCompletionSource started, Task release, List<int> handled) =>
            ReceiveAsync<int>(async i =>
            {
                started.TrySetResult();
                await release;
                handled.Add(i);
            });
    }

    [Fact]
    public async Task UnhandledMessagesArePublished()
    {
        await using var system = ActorSystem.Create("unhandled");
        var unhandled = new TaskCompletionSource<UnhandledMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = system.EventStream.Subscribe<UnhandledMessage>(u => unhandled.TrySetResult(u));
        var counter = system.ActorOf(Props.Create(() => new Counter(null)), "counter");

        counter.Tell("not a counter message");

        var published = await Guard.Within(unhandled.Task);
        Assert.Equal("not a counter message", published.Message);
        Assert.Same(counter, published.Recipient);
    }
}
