using System.Collections.Concurrent;
using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Patterns;

public class WorkQueueTests
{
    /// <summary>Squares items, throwing on the first <c>failuresPerItem</c> attempts of each item the
    /// predicate picks, and counts the attempts that completed.</summary>
    private sealed class FlakyWork(Func<int, bool> flaky, int failuresPerItem)
    {
        public ConcurrentDictionary<int, int> Attempts { get; } = new();

        public ConcurrentDictionary<int, int> Completions { get; } = new();

        public async ValueTask<int> Invoke(int item)
        {
            var attempt = Attempts.AddOrUpdate(item, 1, (_, n) => n + 1);
            await Task.Yield(); // a search step: the failure comes mid-item, after an await
            if (flaky(item) && attempt <= failuresPerItem) throw new InvalidOperationException($"worker killed on item {item}, attempt {attempt}");
            Completions.AddOrUpdate(item, 1, (_, n) => n + 1);
            return item * item;
        }
    }

    private static WorkQueueOptions Options(int workers, int maxRetries) => new()
    {
        Workers = workers,
        Supervision = new OneForOneStrategy(_ => Directive.Restart)
        {
            MaxRetries = maxRetries,
            Backoff = new BackoffOptions { MinBackoff = TimeSpan.FromMilliseconds(10), RandomFactor = 0.5, Seed = 1 },
        },
    };

    private static ActorSystem NewSystem(string name) =>
        ActorSystem.Create(name, new ActorSystemOptions { Delay = new ManualDelay(completeAtOnce: true).Delay });

    [Fact]
    public async Task EveryItemIsProcessedExactlyOnceWhileWorkersFailAndRestart()
    {
        await using var system = NewSystem("exactly-once");
        var work = new FlakyWork(item => item % 7 == 3, failuresPerItem: 2);
        var queue = system.ActorOf(Props.Create(() => new WorkQueue<int, int>(work.Invoke, Options(workers: 4, maxRetries: 1000))), "queue");
        var items = Enumerable.Range(0, 200).ToArray();

        var completed = await queue.Ask<WorkQueue<int, int>.Completed>(new WorkQueue<int, int>.Run(items), Guard.Timeout);

        Assert.Equal(items.Select(i => i * i), completed.Results);
        Assert.All(items, i => Assert.Equal(1, work.Completions[i]));
        var flaky = items.Count(i => i % 7 == 3);
        Assert.Equal(2 * flaky, completed.FailedAttempts);
        Assert.All(items, i => Assert.Equal(i % 7 == 3 ? 3 : 1, work.Attempts[i]));
    }

    [Fact]
    public async Task AWorkerStoppedPastItsRetryLimitHandsItsItemToTheOthers()
    {
        await using var system = NewSystem("retry-limit");
        // Item 0 fails twice; with one restart allowed, the worker that takes it twice is stopped, and the
        // item goes to a living worker through death watch.
        var work = new FlakyWork(item => item == 0, failuresPerItem: 2);
        var queue = system.ActorOf(Props.Create(() => new WorkQueue<int, int>(work.Invoke, Options(workers: 3, maxRetries: 1))), "queue");

        var completed = await queue.Ask<WorkQueue<int, int>.Completed>(new WorkQueue<int, int>.Run([.. Enumerable.Range(0, 30)]), Guard.Timeout);

        Assert.Equal(Enumerable.Range(0, 30).Select(i => i * i), completed.Results);
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(1, work.Completions[i]));
    }

    [Fact]
    public async Task ARunFailsWhenEveryWorkerHasStopped()
    {
        await using var system = NewSystem("all-dead");
        var work = new FlakyWork(item => item == 5, failuresPerItem: int.MaxValue);
        var queue = system.ActorOf(Props.Create(() => new WorkQueue<int, int>(work.Invoke, Options(workers: 2, maxRetries: 0))), "queue");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            queue.Ask<WorkQueue<int, int>.Completed>(new WorkQueue<int, int>.Run([.. Enumerable.Range(0, 10)]), Guard.Timeout));

        Assert.Contains("Every worker", exception.Message);
        Assert.False(work.Completions.ContainsKey(5));
    }
}
