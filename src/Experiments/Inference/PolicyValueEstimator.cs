using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// The value head of the policy's GPT (sigmoid of its output) at each state's last token. The decoder computed it
/// when that token was fed, so a batch of states costs no forward pass; calls and states are counted.
/// </summary>
public sealed class PolicyValueEstimator(PolicyProposer proposer) : IValueEstimator
{
    /// <summary>Batched calls answered.</summary>
    public long Calls { get; private set; }
    /// <summary>States valued over all calls.</summary>
    public long Evaluations { get; private set; }

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        Calls++;
        Evaluations += states.Count;
        var values = new float[states.Count];
        for (var i = 0; i < values.Length; i++) values[i] = proposer.ValueOf(states[i].Handle);
        return values;
    }
}
