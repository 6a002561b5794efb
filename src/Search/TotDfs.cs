using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>Tree of Thoughts depth-first search (Yao et al. 2023).</summary>
/// <param name="Proposals">k, steps proposed per state (repeats merged).</param>
/// <param name="PruneThreshold">A state valued below this is not explored (ToT prunes "impossible" states).</param>
/// <param name="MaxAnswers">The search stops after this many answers at or above the threshold.</param>
public sealed record TotDfsConfig(int Proposals = 8, float PruneThreshold = 0.5f, int MaxAnswers = 1, float Temperature = 1.0f);

/// <summary>
/// Depth first: expand a state, evaluate its children in one call, descend into them best first while their
/// value reaches the threshold, backtrack when a subtree is exhausted.
/// </summary>
internal sealed class TotDfsSearch(TotDfsConfig config) : ISearch
{
    public string Name => "tot-dfs";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var tree = run.Tree;
        var answers = new List<int>();
        // The stack holds states still to visit; children are pushed worst first so the best is popped next.
        var stack = new Stack<int>();
        stack.Push(SearchTree.Root);
        while (stack.Count > 0 && answers.Count < config.MaxAnswers)
        {
            var node = stack.Pop();
            if (tree.Kind[node] == NodeKind.Answer) { answers.Add(node); continue; }
            if (tree.Kind[node] != NodeKind.Open) continue;
            if (run.AffordableProposals() < config.Proposals || run.AffordableEvaluations() < config.Proposals) break;
            run.Expand([node], config.Proposals, config.Temperature, distinct: true);
            run.Release(node);
            var children = Enumerable.Range(tree.ChildStart[node], tree.ChildCount[node]).ToList();
            run.Evaluate(children);
            var ranked = children.OrderByDescending(c => tree.Value[c]).ThenBy(c => c).ToList();
            foreach (var pruned in ranked.Where(c => !(tree.Value[c] >= config.PruneThreshold))) run.Release(pruned);
            foreach (var child in ranked.Where(c => tree.Value[c] >= config.PruneThreshold).Reverse()) stack.Push(child);
        }
        var best = answers.OrderByDescending(n => tree.Value[n]).ThenBy(n => n).ToList();
        var chosen = best.Count > 0 ? best[0] : BestExplored(tree);
        return run.Finish(Name, chosen, best.Select(n => run.CandidateOf(n, tree.Value[n])).ToList());
    }

    /// <summary>
    /// Without an answer at or above the threshold: the best-valued answer seen (pruned ones included), else
    /// the deepest, then best-valued, state reached.
    /// </summary>
    static int BestExplored(SearchTree tree)
    {
        var best = SearchTree.Root;
        for (var n = 1; n < tree.Count; n++)
            if (Key(tree, n).CompareTo(Key(tree, best)) > 0) best = n;
        return best;
    }

    static (bool IsAnswer, int Depth, float Value) Key(SearchTree tree, int node) =>
        (tree.Kind[node] == NodeKind.Answer, tree.Depth[node], float.IsNaN(tree.Value[node]) ? -1 : tree.Value[node]);
}
