namespace Reasoner.Search;

/// <summary>
/// The compute a search may spend on one problem; null means unlimited. Token and value budgets are never
/// exceeded: the search only makes a call whose worst case (every proposal <see cref="MaxStepTokens"/> long)
/// still fits. Wall time is checked between calls, so one call may run past it.
/// </summary>
/// <param name="MaxStepTokens">The longest step the proposer may generate; a per-call limit rather than a budget,
/// but the budgets are planned on it. 64 fits every task's step line with room to spare.</param>
public sealed record SearchBudget(
    long? MaxGeneratedTokens = null,
    long? MaxForwardTokens = null,
    long? MaxValueEvaluations = null,
    int? MaxNodes = null,
    TimeSpan? MaxWallTime = null,
    int MaxStepTokens = 64)
{
    public static SearchBudget Unlimited { get; } = new();
}

/// <summary>What a search spent.</summary>
/// <param name="GeneratedTokens">Tokens sampled by the proposer.</param>
/// <param name="ForwardTokens">Tokens the policy ran forward (prompt included).</param>
/// <param name="ProposerCalls">Batched calls to <see cref="IStepProposer.Propose"/>.</param>
/// <param name="ValueCalls">Batched calls to <see cref="IValueEstimator.Evaluate"/>.</param>
/// <param name="ValueEvaluations">States evaluated by the value model (over all its calls).</param>
/// <param name="Nodes">Nodes of the search tree, root included.</param>
public sealed record ComputeSpent(
    long GeneratedTokens,
    long ForwardTokens,
    int ProposerCalls,
    int ValueCalls,
    long ValueEvaluations,
    int Nodes,
    TimeSpan WallTime);
