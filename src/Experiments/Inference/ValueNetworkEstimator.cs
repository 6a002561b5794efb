using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// A value network of its own (<c>reasoner train value --separate</c>): sigmoid of its value head after each state's last
/// token, the state's tokens taken from the policy's <see cref="PolicyProposer"/>. Unlike the policy's own head, it must
/// read the states: every call runs all its states' tokens through the value model in batched decoder calls (as many
/// states a call as it has slots), then frees the slots. Tokens run are counted in <see cref="ForwardTokens"/>.
/// With <c>checks</c> (a network that also learned <see cref="StepChecks"/>), each state's value is multiplied by the
/// probability the network gives every step's written result (<see cref="ITask.Claim"/>) when it computes the step with
/// nothing else in view: a step whose arithmetic does not hold drags its state, and every state after it, down; a
/// network that also learned the problems steps leave values a partial state by what it leaves (<see cref="StepCheck"/>).
/// Not thread-safe: one search at a time, like the proposer.
/// </summary>
public sealed class ValueNetworkEstimator : IValueEstimator
{
    readonly PolicyProposer proposer;
    readonly GptDecoder decoder;
    readonly StepCheck? checks;

    /// <param name="slots">States read in one batched call.</param>
    /// <param name="checks">What the network learned to check (<see cref="ValueChecks"/>); null: the value head alone.</param>
    public ValueNetworkEstimator(Gpt valueModel, PolicyProposer proposer, WorkerPool pool, int slots = 32, ValueChecks? checks = null)
    {
        if (valueModel.Config.Vocab != proposer.Model.Config.Vocab)
            throw new ArgumentException($"the value model's vocab is {valueModel.Config.Vocab} but the policy's is {proposer.Model.Config.Vocab}: they must share the tokenizer", nameof(valueModel));
        if (valueModel.Config.Context < proposer.Model.Config.Context)
            throw new ArgumentException($"the value model's context ({valueModel.Config.Context}) is shorter than the policy's ({proposer.Model.Config.Context}): it could not read every state", nameof(valueModel));
        this.proposer = proposer;
        decoder = new GptDecoder(valueModel, pool, Math.Max(checks is null ? 1 : 2, slots));
        this.checks = checks is null ? null : new StepCheck(decoder, proposer.Tokenizer, checks);
    }

    /// <summary>Batched calls answered.</summary>
    public long Calls { get; private set; }
    /// <summary>States valued over all calls.</summary>
    public long Evaluations { get; private set; }
    /// <summary>Tokens run through the value model.</summary>
    public long ForwardTokens { get; private set; }

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        Calls++;
        Evaluations += states.Count;
        var values = new float[states.Count];
        var batch = decoder.Cache.Slots;
        for (var start = 0; start < states.Count; start += batch)
        {
            var count = Math.Min(batch, states.Count - start);
            var slots = new int[count];
            var lengths = new int[count];
            var tokens = new List<int>();
            for (var i = 0; i < count; i++)
            {
                var stateTokens = proposer.TokensOf(states[start + i].Handle);
                slots[i] = decoder.Allocate();
                lengths[i] = stateTokens.Count;
                tokens.AddRange(stateTokens);
            }
            decoder.Extend(slots, tokens.ToArray(), lengths);
            ForwardTokens += tokens.Count;
            for (var i = 0; i < count; i++)
            {
                values[start + i] = decoder.Value(slots[i]);
                decoder.Free(slots[i]);
            }
        }
        if (checks is not null)
        {
            long before = checks.ForwardTokens;
            for (var i = 0; i < states.Count; i++)
                values[i] = checks.Value(values[i], proposer.Tokenizer.Decode(proposer.TokensOf(states[i].Handle).ToArray()), proposer.StepLogProbability(states[i].Handle));
            ForwardTokens += checks.ForwardTokens - before;
        }
        return values;
    }
}
