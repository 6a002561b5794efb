using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>A partial (or finished) solution to evaluate: the proposer's state and the steps that led to it.</summary>
/// <param name="Handle">The proposer's state (a value head shares the policy's cache through it).</param>
/// <param name="Steps">The steps from the prompt to this state, in order (for estimators that read text).</param>
public sealed record NodeState(StateHandle Handle, IReadOnlyList<string> Steps);

/// <summary>
/// Estimates, for each state, the probability in [0, 1] of finishing it correctly. Never the verifier:
/// the search must not see the answer's correctness.
/// </summary>
public interface IValueEstimator
{
    /// <summary>One value in [0, 1] per state, in order.</summary>
    IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states);
}
