using Reasoner.Experiments.Inference;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Tests.Inference;

public class InferenceBatchTests
{
    private sealed record Item(string Id) : Problem(Id);

    /// <summary>Proposes "s{state}.{k}@{seed}" children; records each backend call's states and seeds, and the releases.</summary>
    private class RecordingProposer : IStepProposer, IValueEstimator
    {
        private long _next = 100;
        /// <summary>Each backend call as "states: seeds".</summary>
        public List<string> ProposeCalls { get; } = [];
        public List<int> ValueCalls { get; } = [];
        public List<long> Released { get; } = [];

        public RootState Begin(Problem problem, string prompt) => new(new StateHandle(_next++), 1);

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
        {
            ProposeCalls.Add($"{states.Count}: {request.Seed}");
            return Answer(states, request);
        }

        protected IReadOnlyList<IReadOnlyList<StepProposal>> Answer(IReadOnlyList<StateHandle> states, ProposeRequest request) =>
            states.Select(s => (IReadOnlyList<StepProposal>)Enumerable.Range(0, request.Count)
                .Select(k => new StepProposal($"s{s.Id}.{k}@{request.Seed}", 0, 1, 1, new StateHandle(_next++))).ToList()).ToList();

        public void Release(StateHandle state) => Released.Add(state.Id);

        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
        {
            ValueCalls.Add(states.Count);
            return states.Select(s => s.Handle.Id / 1000f).ToList();
        }
    }

    /// <summary>Answers several calls at once, each from its own seed, as the GPT proposer does.</summary>
    private sealed class BatchingProposer : RecordingProposer, IBatchedProposer
    {
        public IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IReadOnlyList<ProposeCall> calls)
        {
            ProposeCalls.Add($"{calls.Sum(c => c.States.Count)}: {string.Join(",", calls.Select(c => c.Request.Seed))}");
            return calls.Select(c => Answer(c.States, c.Request)).ToList();
        }
    }

    private static InferenceRequest[] Requests() =>
    [
        new ProposeSteps([new StateHandle(1), new StateHandle(2)], new ProposeRequest(2, 1f, 64, Seed: 7), [new StateHandle(9)]),
        new EvaluateStates(new Item("p"), [new NodeState(new StateHandle(3), [])], []),
        new ProposeSteps([new StateHandle(4)], new ProposeRequest(3, 1f, 64, Seed: 8), []),
        new ProposeSteps([new StateHandle(5)], new ProposeRequest(1, 0f, 64, Seed: 9), []),
        new EvaluateStates(new Item("q"), [new NodeState(new StateHandle(6), []), new NodeState(new StateHandle(7), [])], [new StateHandle(8)]),
    ];

    [Fact]
    public void ProposalsAtOneTemperatureShareOneBackendCallYetEachSearchGetsItsOwnSeedsDraws()
    {
        var backend = new BatchingProposer();
        var counters = new InferenceCounters();
        var replies = InferenceBatch.Run(new InferenceBackend(backend, backend, ValueReadsStateOnly: true), Requests(), counters);

        // The two temperature-1 requests (counts 2 and 3) are one call, each with its own seed; greedy is a call of its own.
        Assert.Equal(["3: 7,8", "1: 9"], backend.ProposeCalls);
        Assert.Equal([3], backend.ValueCalls);
        Assert.Equal([9L, 8L], backend.Released);
        var first = (IReadOnlyList<IReadOnlyList<StepProposal>>)replies[0];
        Assert.Equal(["s1.0@7", "s1.1@7"], first[0].Select(p => p.Text));
        Assert.Equal(["s2.0@7", "s2.1@7"], first[1].Select(p => p.Text));
        Assert.Equal(["s4.0@8", "s4.1@8", "s4.2@8"], ((IReadOnlyList<IReadOnlyList<StepProposal>>)replies[2])[0].Select(p => p.Text));
        Assert.Equal(["s5.0@9"], ((IReadOnlyList<IReadOnlyList<StepProposal>>)replies[3])[0].Select(p => p.Text));
        Assert.Equal([0.003f], (IReadOnlyList<float>)replies[1]);
        Assert.Equal([0.006f, 0.007f], (IReadOnlyList<float>)replies[4]);
        Assert.Equal((5L, 2L, 1L), (counters.Requests, counters.ProposerCalls, counters.ValueCalls));
    }

    [Fact]
    public void AProposerThatCannotDrawEachCallFromItsSeedAnswersTheCallsOneByOne()
    {
        var backend = new RecordingProposer();
        var counters = new InferenceCounters();
        var replies = InferenceBatch.Run(new InferenceBackend(backend, backend, ValueReadsStateOnly: true), Requests(), counters);

        Assert.Equal(["2: 7", "1: 8", "1: 9"], backend.ProposeCalls);
        Assert.Equal(["s4.0@8", "s4.1@8", "s4.2@8"], ((IReadOnlyList<IReadOnlyList<StepProposal>>)replies[2])[0].Select(p => p.Text));
        Assert.Equal(3L, counters.ProposerCalls);
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
        InferenceBatch.Run(new InferenceBackend(backend, backend, ValueReadsStateOnly: false), requests, new InferenceCounters());
        Assert.Equal([1, 1], backend.ValueCalls);
    }
}
