using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>
/// An opaque reference to a proposer's state after a prefix of steps (for the GPT policy: a KV cache).
/// The search never looks inside; it hands handles back to <see cref="IStepProposer"/> and releases them.
/// </summary>
public readonly record struct StateHandle(long Id);

/// <summary>The root state of one search: the prompt encoded, and what encoding it cost.</summary>
public sealed record RootState(StateHandle Handle, int ForwardTokens);

/// <summary>
/// What one proposer call asks for: <paramref name="Count"/> next steps for each state of the batch.
/// </summary>
/// <param name="Count">Proposals per state. The proposer may return fewer (a state with no legal step returns none).</param>
/// <param name="Temperature">Sampling temperature. 0 asks for the most likely steps, deterministically and best
/// first: greedy decoding when Count is 1; for a larger Count an implementation may return fewer (one, if it decodes
/// greedily). With a temperature, the Count proposals are independent samples and may repeat.</param>
/// <param name="MaxStepTokens">No proposal may generate (or feed) more tokens than this: the search plans its budget on it.</param>
/// <param name="Seed">Seed for this call's sampling, drawn from the search's generator so a search repeats.</param>
public sealed record ProposeRequest(int Count, float Temperature, int MaxStepTokens, int Seed);

/// <summary>
/// One proposed next step.
/// </summary>
/// <param name="Text">The step, one line, without its newline.</param>
/// <param name="LogProb">Sum of the log-probabilities of its tokens under the policy (at temperature 1).</param>
/// <param name="GeneratedTokens">Tokens sampled for this step.</param>
/// <param name="ForwardTokens">Tokens the policy ran forward for this step (with a KV cache, about the generated tokens).</param>
/// <param name="Child">The state after this step; the proposer forks its cache for it. The search releases it.</param>
/// <param name="EndOfText">True when generation stopped at end of text: no step can follow.</param>
public sealed record StepProposal(string Text, double LogProb, int GeneratedTokens, int ForwardTokens, StateHandle Child, bool EndOfText = false);

/// <summary>
/// Proposes next reasoning steps. The search calls it with batches (a BFS level, all beams) and tells it
/// when a handle is no longer needed, so caches can be freed. A child state continues from its parent's
/// state: an implementation never re-encodes the prefix.
/// </summary>
public interface IStepProposer
{
    /// <summary>Encodes the prompt of a problem and returns the root state.</summary>
    RootState Begin(Problem problem, string prompt);

    /// <summary>
    /// For each state of <paramref name="states"/> (in order) returns up to <c>request.Count</c> proposals.
    /// The states stay valid: the search releases them itself.
    /// </summary>
    IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request);

    /// <summary>The search will not use this handle again. Each handle is released exactly once.</summary>
    void Release(StateHandle state);
}
