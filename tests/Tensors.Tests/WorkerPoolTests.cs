namespace Reasoner.Tensors.Tests;

public class WorkerPoolTests
{
    private readonly struct CountHits(int[] hits) : IParallelBody
    {
        public void Invoke(int index) => Interlocked.Increment(ref hits[index]);
    }

    private readonly struct ThrowAt(int[] hits, int failing) : IParallelBody
    {
        public void Invoke(int index)
        {
            Interlocked.Increment(ref hits[index]);
            if (index == failing) throw new InvalidOperationException($"index {index} failed");
        }
    }

    private readonly struct Nested(WorkerPool pool, int[] hits, int inner) : IParallelBody
    {
        public void Invoke(int index)
        {
            var body = new CountHits(hits);
            // Each outer index owns its own slice of hits through an offset body.
            var offset = new Offset(body, index * inner);
            pool.For(inner, ref offset);
        }
    }

    private readonly struct Offset(CountHits body, int start) : IParallelBody
    {
        public void Invoke(int index) => body.Invoke(start + index);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Every_index_runs_exactly_once(int threads)
    {
        using var pool = new WorkerPool(threads);
        foreach (int count in new[] { 0, 1, 2, 3, 17, 1000 })
            for (int repeat = 0; repeat < 200; repeat++)
            {
                var hits = new int[count];
                var body = new CountHits(hits);
                pool.For(count, ref body);
                Assert.All(hits, h => Assert.Equal(1, h));
            }
    }

    [Fact]
    public void Zero_threads_means_one_per_core()
    {
        using var pool = new WorkerPool(0);
        Assert.Equal(Environment.ProcessorCount, pool.Threads);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerPool(-1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void An_exception_is_rethrown_after_every_index_ran_and_the_pool_stays_usable(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int failing = 0; failing < 50; failing += 7)
        {
            var hits = new int[50];
            var body = new ThrowAt(hits, failing);
            var error = Assert.Throws<InvalidOperationException>(() => pool.For(hits.Length, ref body));
            Assert.Equal($"index {failing} failed", error.Message);
            Assert.All(hits, h => Assert.Equal(1, h));
        }
        var after = new int[100];
        var counting = new CountHits(after);
        pool.For(after.Length, ref counting);
        Assert.All(after, h => Assert.Equal(1, h));
    }

    [Fact]
    public void A_nested_for_runs_inline_without_deadlock()
    {
        using var pool = new WorkerPool(2);
        const int outer = 40, inner = 25;
        var hits = new int[outer * inner];
        var body = new Nested(pool, hits, inner);
        pool.For(outer, ref body);
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Concurrent_callers_are_serialised()
    {
        using var pool = new WorkerPool(2);
        var results = new int[4][];
        var callers = Enumerable.Range(0, results.Length).Select(t => new Thread(() =>
        {
            var hits = results[t] = new int[64];
            for (int repeat = 0; repeat < 300; repeat++)
            {
                var body = new CountHits(hits);
                pool.For(hits.Length, ref body);
            }
        })).ToArray();
        foreach (var caller in callers) caller.Start();
        foreach (var caller in callers) caller.Join();
        Assert.All(results, hits => Assert.All(hits, h => Assert.Equal(300, h)));
    }

    [Fact]
    public void Dispose_stops_the_workers_and_later_loops_are_refused()
    {
        var pool = new WorkerPool(3);
        var hits = new int[10];
        var body = new CountHits(hits);
        pool.For(hits.Length, ref body);
        Thread.Sleep(5); // let the workers go from spinning to blocked: Dispose must wake and join them too
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.For(hits.Length, ref body));
    }

    [Fact]
    public async Task Back_to_back_loops_of_changing_sizes_run_each_index_once_on_an_oversubscribed_pool()
    {
        // More threads than cores, so workers get descheduled between reading a loop's ticket and claiming it: a
        // worker that wakes into the next, larger loop must not claim an index with its old ticket.
        var run = Task.Run(() =>
        {
            using var pool = new WorkerPool(2 * Environment.ProcessorCount + 1);
            var hits = new int[64];
            var body = new CountHits(hits);
            for (int loop = 0; loop < 100_000; loop++)
            {
                int count = 2 + loop * 7 % 61;
                Array.Clear(hits);
                pool.For(count, ref body);
                for (int i = 0; i < hits.Length; i++)
                    if (hits[i] != (i < count ? 1 : 0)) return $"loop {loop} (count {count}): index {i} ran {hits[i]} times";
            }
            return null;
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(finished == run, "the pool hung: a loop never saw all its indices finish");
        Assert.Null(await run);
    }
}
