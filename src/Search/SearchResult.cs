namespace Reasoner.Search;

/// <summary>A finished trajectory the search considered (a sample, a final beam, an answer found).</summary>
/// <param name="Node">Its last node in the tree.</param>
/// <param name="Completion">Its steps, one a line (the answer line last when it has one).</param>
/// <param name="Answer">The parsed final answer (for majority voting), null without an answer line.</param>
/// <param name="Score">What the method ranked it by (value, log-probability, vote count); NaN when unranked.</param>
public sealed record Candidate(int Node, string Completion, string? Answer, double Score);

/// <summary>
/// The visit distribution over the children of a node where MCTS decided a move: the policy's training target.
/// </summary>
/// <param name="Node">The decided node.</param>
/// <param name="Steps">The steps from the prompt to the decided node.</param>
/// <param name="ChildSteps">Each child's step.</param>
/// <param name="Visits">Each child's visits when the move was decided (this move's simulations plus a reused subtree's).</param>
/// <param name="Probabilities">Each child's share of the visits (sums to 1).</param>
/// <param name="Chosen">Index into <paramref name="ChildSteps"/> of the move taken.</param>
public sealed record VisitTarget(int Node, IReadOnlyList<string> Steps, IReadOnlyList<string> ChildSteps, IReadOnlyList<int> Visits, IReadOnlyList<float> Probabilities, int Chosen);

/// <summary>
/// What one search returns. The verifier chose nothing here: the caller scores <see cref="Completion"/>
/// (top-1) and, for pass@k and maj@k, <see cref="Candidates"/>.
/// </summary>
/// <param name="Method">The method's name as the factory spells it.</param>
/// <param name="Completion">The chosen completion: its steps, one a line, the answer line last (if it reached one).</param>
/// <param name="Answer">The chosen completion's parsed answer, null without an answer line.</param>
/// <param name="ChosenPath">Node indices from the root to the chosen completion's last node.</param>
/// <param name="Candidates">Every final trajectory the method produced, in the method's order.</param>
/// <param name="Spent">The compute spent.</param>
/// <param name="Tree">The whole search tree (all its handles released).</param>
/// <param name="VisitTargets">MCTS only: the visit distribution at each decided node, root first.</param>
public sealed record SearchResult(
    string Method,
    string Completion,
    string? Answer,
    IReadOnlyList<int> ChosenPath,
    IReadOnlyList<Candidate> Candidates,
    ComputeSpent Spent,
    SearchTree Tree,
    IReadOnlyList<VisitTarget> VisitTargets);
