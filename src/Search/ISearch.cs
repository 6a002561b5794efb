using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>
/// A search method over reasoning steps. It expands whole steps (lines) of any <see cref="ITask"/>, spends
/// at most <c>budget</c>, and draws every random choice from <c>random</c> (consumed), so the same seed
/// gives the same tree. It never calls the verifier.
/// </summary>
public interface ISearch
{
    /// <summary>The method's name as <see cref="SearchFactory"/> spells it.</summary>
    string Name { get; }

    SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random);
}
