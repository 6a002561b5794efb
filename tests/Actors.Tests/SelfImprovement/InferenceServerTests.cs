using Reasoner.Actors.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.Tests.SelfImprovement;

public class InferenceServerTests
{
    private sealed record Item(string Id) : Problem(Id);

    /// <summary>Proposes "s{state}.{k}" children; records each call's batch, the seed it got and the releases.</summary>
    private sealed class RecordingProposer : IStepProposer, IValueEstimator
    {
        private long _next = 100;
        public List<(int States, int Seed)> ProposeCalls { get; } = [];
        public List<int> ValueCalls { get; } = [];
        public List<long> Released { get; } = [];

        public RootState Begin(Problem problem, string prompt) => new(new StateHandle(_next++), 1);

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
        {
            ProposeCalls.Add((states.Count, request.Seed));
            return states.Select(s => (IReadOnlyList<StepProposal>)Enumerable.Range(0, request.Count)
                .Select(k => new StepProposal($"s{s.Id}.{k}", 0, 1, 1, new StateHandle(_next++))).ToList()).ToList();
        }

        public void Release(StateHandle state) => Released.Add(state.Id);

        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
        {
            ValueCalls.Add(states.Count);
            return states.Select(s => s.Handle.Id / 1000f).ToList();
        }
    }

    [Fact]
    public void CompatibleRequestsOfDifferentWorkersShareOneBackendCallAndGetTheirOwnAnswers()
    {
        var backend = new RecordingProposer();
        var counters = new InferenceCounters();
        var problem = new Item("p");
        InferenceRequest[] requests =
        [
            new ProposeSteps([new StateHandle(1), new StateHandle(2)], new ProposeRequest(2, 1f, 64, Seed: 7), [new StateHandle(9)]),
            new EvaluateStates(problem, [new NodeState(new StateHandle(3), [])], []),
            new ProposeSteps([new StateHandle(4)], new ProposeRequest(2, 1f, 64, Seed: 8), []),
            new ProposeSteps([new StateHandle(5)], new ProposeRequest(1, 0f, 64, Seed: 9), []),
            new EvaluateStates(new Item("q"), [new NodeState(new StateHandle(6), []), new NodeState(new StateHandle(7), [])], [new StateHandle(8)]),
        ];
        var replies = InferenceServer.RunBatch(new InferenceBackend(backend, backend, ValueReadsStateOnly: true), requests, counters);

        Assert.Equal([(3, 7), (1, 9)], backend.ProposeCalls); // the two temperature-1 requests merged, first seed used
        Assert.Equal([3], backend.ValueCalls);
        Assert.Equal([9L, 8L], backend.Released);
        var first = (IReadOnlyList<IReadOnlyList<StepProposal>>)replies[0];
        Assert.Equal(["s1.0", "s1.1"], first[0].Select(p => p.Text));
        Assert.Equal(["s2.0", "s2.1"], first[1].Select(p => p.Text));
        Assert.Equal(["s4.0", "s4.1"], ((IReadOnlyList<IReadOnlyList<StepProposal>>)replies[2])[0].Select(p => p.Text));
        Assert.Equal([0.003f], (IReadOnlyList<float>)replies[1]);
        Assert.Equal([0.006f, 0.007f], (IReadOnlyList<float>)replies[4]);
        Assert.Equal((5L, 2L, 1L), (counters.Requests, counters.ProposerCalls, counters.ValueCalls));
    }

    [Fact]
    public void AValueModelThatReadsTheProblemIsCalledOncePerRequest()
    {
        var backend = new RecordingProposer();
        InferenceRequest[] requests =
        [
            new EvaluateStates(new Item("p"), [new NodeState(new StateHandle(1), [])], []),
            new EvaluateStates(new Item("q"), [new NodeState(new StateHandle(2), [])], []),
        ];
        InferenceServer.RunBatch(new InferenceBackend(backend, backend, ValueReadsStateOnly: false), requests, new InferenceCounters());
        Assert.Equal([1, 1], backend.ValueCalls);
    }
}
