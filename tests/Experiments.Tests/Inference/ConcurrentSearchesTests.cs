using Reasoner.Experiments.Inference;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Tests.Inference;

public sealed class ConcurrentSearchesTests
{
    private sealed record Item(string Id) : Problem(Id);

    /// <summary>Records how many searches' calls each generation answered; answers one step per state, "seed.k".
    /// Optionally throws on one generation. Not thread-safe, as a real proposer: the batches must never overlap.</summary>
    private sealed class CountingProposer(int failOnGeneration = -1) : IBatchedProposer, IValueEstimator
    {
        private long _next;
        private int _running;
        public List<int> Generations { get; } = [];
        public HashSet<long> Live { get; } = [];

        public RootState Begin(Problem problem, string prompt)
        {
            Live.Add(_next);
            return new RootState(new StateHandle(_next++), 1);
        }

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request) => Propose([new ProposeCall(states, request)])[0];

        public IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IReadOnlyList<ProposeCall> calls)
        {
            if (Interlocked.Increment(ref _running) != 1) throw new InvalidOperationException("two batches ran at once");
            try
            {
                Thread.Sleep(1); // room for another batch to overlap, were the gate wrong
                Generations.Add(calls.Count);
                if (Generations.Count == failOnGeneration) throw new InvalidOperationException("the policy failed");
                return calls.Select(call => (IReadOnlyList<IReadOnlyList<StepProposal>>)call.States.Select(_ =>
                {
                    Live.Add(_next);
                    return (IReadOnlyList<StepProposal>)[new StepProposal($"{call.Request.Seed}.{_next}", 0, 1, 1, new StateHandle(_next++))];
                }).ToList()).ToList();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public void Release(StateHandle state)
        {
            if (!Live.Remove(state.Id)) throw new InvalidOperationException($"state {state.Id} released twice");
        }

        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) => states.Select(_ => 0.5f).ToList();
    }

    /// <summary>A search of <paramref name="steps"/> proposals, each from the last step, returning the seeds it drew from.</summary>
    private static string Walk(int index, InferenceClient client, int steps, Func<int, int, bool>? failAt = null)
    {
        var state = client.Begin(new Item($"p{index}"), "prompt").Handle;
        var drawn = new List<string>();
        for (var step = 0; step < steps; step++)
        {
            if (failAt?.Invoke(index, step) == true) throw new InvalidOperationException($"search {index} failed");
            var proposal = client.Propose([state], new ProposeRequest(1, 1f, 8, Seed: index * 100 + step))[0][0];
            client.Release(state);
            state = proposal.Child;
            drawn.Add(proposal.Text.Split('.')[0]);
        }
        client.Release(state);
        return string.Join(" ", drawn);
    }

    [Fact]
    public void EverySearchInFlightShareEachBatchAndGetsItsOwnAnswersInOrder()
    {
        var proposer = new CountingProposer();
        var counters = new InferenceCounters();
        var done = new List<int>();
        var results = ConcurrentSearches.Run(new InferenceBackend(proposer, proposer, ValueReadsStateOnly: true), count: 8, parallel: 4,
            (i, client) => Walk(i, client, steps: 3), counters, done.Add);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{i * 100} {i * 100 + 1} {i * 100 + 2}"), results);
        // Four searches in lockstep: each generation answers all four, 8 x 3 proposals in 6 generations.
        Assert.Equal(Enumerable.Repeat(4, 6), proposer.Generations);
        Assert.Equal(6, counters.ProposerCalls);
        Assert.Equal(Enumerable.Range(1, 8), done);
        Assert.Empty(proposer.Live); // every search's releases reached the proposer
    }

    [Fact]
    public void OneAtATimeEveryCallIsABatchOfItsOwn()
    {
        var proposer = new CountingProposer();
        var results = ConcurrentSearches.Run(new InferenceBackend(proposer, proposer, ValueReadsStateOnly: true), count: 3, parallel: 1,
            (i, client) => Walk(i, client, steps: 2));
        Assert.Equal(["0 1", "100 101", "200 201"], results);
        Assert.Equal(Enumerable.Repeat(1, 6), proposer.Generations);
        Assert.Empty(ConcurrentSearches.Run(new InferenceBackend(proposer, proposer, true), count: 0, parallel: 4, (i, client) => Walk(i, client, 1)));
    }

    [Fact]
    public void ASearchThatThrowsStopsNewSearchesAndIsRethrownOnceTheOthersFinished()
    {
        var proposer = new CountingProposer();
        var started = 0;
        var run = Task.Run(() => ConcurrentSearches.Run(new InferenceBackend(proposer, proposer, ValueReadsStateOnly: true), count: 40, parallel: 3,
            (i, client) =>
            {
                Interlocked.Increment(ref started);
                return Walk(i, client, steps: 4, failAt: (index, step) => index == 1 && step == 2);
            }));
        // Waiting with a limit: a gate that waited for the failed search would hang here.
        var error = Assert.Throws<AggregateException>(() => run.Wait(TimeSpan.FromSeconds(60)));
        Assert.Equal("search 1 failed", error.InnerException!.Message);
        Assert.Equal(3, started); // the searches in flight finish, and no new one starts after the failure
    }

    [Fact]
    public void ABatchThatFailsFailsEverySearchInIt()
    {
        var proposer = new CountingProposer(failOnGeneration: 2);
        var run = Task.Run(() => ConcurrentSearches.Run(new InferenceBackend(proposer, proposer, ValueReadsStateOnly: true), count: 4, parallel: 4,
            (i, client) => Walk(i, client, steps: 3)));
        var error = Assert.Throws<AggregateException>(() => run.Wait(TimeSpan.FromSeconds(60)));
        Assert.Equal("the policy failed", error.InnerException!.InnerException!.Message);
        Assert.Equal([4, 4], proposer.Generations);
    }
}
