using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// The policy and value model of one checkpoint, as a batch of several searches' requests drives them
/// (<see cref="InferenceBatch"/>): one proposer whose state handles are unique across every search it serves, and a
/// value model. <paramref name="ValueReadsStateOnly"/>: the value of a state does not depend on the problem argument (a
/// value head reading the proposer's cache, or a value network reading its tokens), so states of different problems may
/// share one call.
/// </summary>
public sealed record InferenceBackend(IStepProposer Proposer, IValueEstimator Value, bool ValueReadsStateOnly, IDisposable? Resources = null);

/// <summary>Counts of the calls batches made to their backend, to show how much batching saved. Thread-safe.</summary>
public sealed class InferenceCounters
{
    private long _requests, _proposerCalls, _proposedStates, _valueCalls, _valuedStates;

    public long Requests => Interlocked.Read(ref _requests);
    public long ProposerCalls => Interlocked.Read(ref _proposerCalls);
    public long ProposedStates => Interlocked.Read(ref _proposedStates);
    public long ValueCalls => Interlocked.Read(ref _valueCalls);
    public long ValuedStates => Interlocked.Read(ref _valuedStates);

    internal void CountRequests(int count) => Interlocked.Add(ref _requests, count);

    internal void CountPropose(int states)
    {
        Interlocked.Increment(ref _proposerCalls);
        Interlocked.Add(ref _proposedStates, states);
    }

    internal void CountValue(int states)
    {
        Interlocked.Increment(ref _valueCalls);
        Interlocked.Add(ref _valuedStates, states);
    }
}
