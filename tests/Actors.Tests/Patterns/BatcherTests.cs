using System.Collections.Concurrent;
using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Patterns;

public class BatcherTests
{
    private sealed class RecordingFunction(Func<int, int> map)
    {
        public ConcurrentQueue<int[]> Batches { get; } = new();

        public ValueTask<IReadOnlyList<int>> Invoke(IReadOnlyList<int> requests)
        {
            Batches.Enqueue([.. requests]);
            if (requests.Contains(-1)) throw new ArgumentException("poisoned request");
            return new ValueTask<IReadOnlyList<int>>([.. requests.Select(map)]);
        }
    }

    private static (ActorSystem System, ManualDelay Timers) NewSystem(string name)
    {
        var timers = new ManualDelay(completeAtOnce: false);
        return (ActorSystem.Create(name, new ActorSystemOptions { Delay = timers.Delay }), timers);
    }

    private static IActorRef Spawn(ActorSystem system, RecordingFunction function, int maxBatch) =>
        system.ActorOf(Props.Create(() => new Batcher<int, int>(function.Invoke, "c0",
            new BatcherOptions { MaxBatch = maxBatch, MaxWait = TimeSpan.FromMilliseconds(5) })), "batcher");

    private static Task<int> Submit(IActorRef batcher, int request) =>
        batcher.Ask<int>(new Batcher<int, int>.Submit(request), Guard.Timeout);

    private static Task<Batcher<int, int>.Statistics> StatisticsOf(IActorRef batcher) =>
        batcher.Ask<Batcher<int, int>.Statistics>(new Batcher<int, int>.GetStatistics(), Guard.Timeout);

    [Fact]
    public async Task ConcurrentAsksFillBatchesOfMaxBatchAndEachGetsItsOwnAnswer()
    {
        var (system, timers) = NewSystem("concurrent");
        await using var _ = system;
        var function = new RecordingFunction(x => 10 * x);
        var batcher = Spawn(system, function, maxBatch: 8);
        const int senders = 10, perSender = 50;

        // Every ask is told before the statistics request, so the mailbox holds them all ahead of it.
        var asks = await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
            Enumerable.Range(0, perSender).Select(i => (Request: s * perSender + i, Reply: Submit(batcher, s * perSender + i))).ToArray())));
        var beforeTimeout = await StatisticsOf(batcher);
        timers.ReleaseAll(); // the MaxWait timer flushes the last, partial batch

        foreach (var (request, reply) in asks.SelectMany(a => a)) Assert.Equal(10 * request, await Guard.Within(reply));
        Assert.Equal(new Batcher<int, int>.Statistics(62, 496, 0, 8, "c0"), beforeTimeout);
        var statistics = await StatisticsOf(batcher);
        Assert.Equal(63, statistics.Batches);
        Assert.Equal(500, statistics.Items);
        Assert.Equal(500.0 / 63, statistics.MeanBatchSize, 12);
        Assert.Equal([.. Enumerable.Repeat(8, 62), 4], function.Batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, senders * perSender), function.Batches.SelectMany(b => b).Order());
    }

    [Fact]
    public async Task APartialBatchIsFlushedWhenMaxWaitElapses()
    {
        var (system, timers) = NewSystem("maxwait");
        await using var _ = system;
        var function = new RecordingFunction(x => x + 1);
        var batcher = Spawn(system, function, maxBatch: 100);

        var replies = new[] { Submit(batcher, 1), Submit(batcher, 2), Submit(batcher, 3) };
        Assert.Equal(TimeSpan.FromMilliseconds(5), await timers.NextRequestAsync()); // set by the first request
        Assert.Equal(0, (await StatisticsOf(batcher)).Batches);
        timers.ReleaseAll();

        Assert.Equal(new[] { 2, 3, 4 }, await Guard.Within(Task.WhenAll(replies)));
        Assert.Equal([[1, 2, 3]], function.Batches);
    }

    [Fact]
    public async Task RepliesGoOutInRequestOrder()
    {
        var (system, timers) = NewSystem("order");
        await using var _ = system;
        var probe = new TestProbe(system);
        var batcher = Spawn(system, new RecordingFunction(x => -x), maxBatch: 5);

        for (var i = 1; i <= 20; i++) batcher.Tell(new Batcher<int, int>.Submit(i), probe.Ref);

        for (var i = 1; i <= 20; i++) Assert.Equal(-i, await probe.ExpectMsgAsync<int>());
        Assert.Equal(4, (await StatisticsOf(batcher)).Batches);
    }

    [Fact]
    public async Task AFailingBatchFailsOnlyItsOwnAsks()
    {
        var (system, _) = NewSystem("failure");
        await using var __ = system;
        var batcher = Spawn(system, new RecordingFunction(x => x * x), maxBatch: 2);

        var poisoned = new[] { Submit(batcher, 3), Submit(batcher, -1) };
        var healthy = new[] { Submit(batcher, 4), Submit(batcher, 5) };

        foreach (var ask in poisoned) Assert.Equal("poisoned request", (await Assert.ThrowsAsync<ArgumentException>(() => ask)).Message);
        Assert.Equal(new[] { 16, 25 }, await Guard.Within(Task.WhenAll(healthy)));
        var statistics = await StatisticsOf(batcher);
        Assert.Equal((2, 1), (statistics.Batches, statistics.FailedBatches));
    }

    [Fact]
    public async Task SwappingTheFunctionAnswersEarlierRequestsWithTheOldOne()
    {
        var (system, _) = NewSystem("swap");
        await using var __ = system;
        var batcher = Spawn(system, new RecordingFunction(x => x + 1), maxBatch: 10);

        var early = Submit(batcher, 1); // pending: the swap flushes it with the old function
        var swapped = batcher.Ask<Batcher<int, int>.BatchFunctionSwapped>(
            new Batcher<int, int>.SwapBatchFunction(new RecordingFunction(x => x + 100).Invoke, "c1"), Guard.Timeout);
        var late = Enumerable.Range(0, 10).Select(i => Submit(batcher, i)).ToArray();

        Assert.Equal(2, await Guard.Within(early));
        Assert.Equal("c1", (await swapped).CheckpointId);
        Assert.Equal(Enumerable.Range(100, 10), await Guard.Within(Task.WhenAll(late)));
        Assert.Equal("c1", (await StatisticsOf(batcher)).CheckpointId);
    }
}
