using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>How a beam ranks its hypotheses.</summary>
public enum BeamScore
{
    /// <summary>The value model's estimate of the partial solution.</summary>
    Value,
    /// <summary>The policy's cumulative log-probability of the path (no value calls).</summary>
    LogProb,
}

/// <summary>Step-level beam search.</summary>
/// <param name="Width">w, hypotheses kept after each step.</param>
/// <param name="Expansions">Steps sampled per hypothesis and step.</param>
public sealed record BeamConfig(int Width = 4, int Expansions = 4, BeamScore Score = BeamScore.Value, float Temperature = 1.0f);

/// <summary>Tree of Thoughts breadth-first search (Yao et al. 2023).</summary>
/// <param name="Proposals">k, steps proposed per state (repeats merged, as ToT's "propose" prompt lists distinct steps).</param>
/// <param name="Breadth">b, states kept per level; ToT used 5 for Game of 24.</param>
public sealed record TotBfsConfig(int Proposals = 8, int Breadth = 5, float Temperature = 1.0f);

/// <summary>
/// Level by level: expand every open state of the frontier in one proposer call, score every child in one
/// value call, keep the best <c>width</c> of children and of finished states carried over. Beam search and
/// ToT BFS are this loop with different settings. Depth is bounded by the task's <c>MaxSteps</c>.
/// </summary>
internal static class LevelSearch
{
    /// <summary>Returns the final frontier, best first.</summary>
    public static IReadOnlyList<int> Run(SearchRun run, int width, int expansions, float temperature, bool distinct, BeamScore score)
    {
        var tree = run.Tree;
        IReadOnlyList<int> frontier = [SearchTree.Root];
        while (true)
        {
            var open = frontier.Where(n => tree.Kind[n] == NodeKind.Open).ToList();
            // Expand as many open states (best first) as the budget allows, proposals and their evaluations both.
            var affordable = run.AffordableProposals() / expansions;
            if (score == BeamScore.Value) affordable = Math.Min(affordable, run.AffordableEvaluations() / expansions);
            var expand = open.Take((int)Math.Min(open.Count, affordable)).ToList();
            if (expand.Count == 0) return frontier;
            run.Expand(expand, expansions, temperature, distinct);
            // Finished states, and open ones the budget could not expand this time, compete with the children.
            var pool = frontier.Where(n => tree.Kind[n] != NodeKind.Open).Concat(open.Skip(expand.Count)).ToList();
            foreach (var node in expand)
            {
                run.Release(node);
                for (var c = 0; c < tree.ChildCount[node]; c++) pool.Add(tree.ChildStart[node] + c);
            }
            if (score == BeamScore.Value) run.Evaluate(pool);
            // Stable order: ties keep the earlier node, so a search repeats exactly.
            var ranked = pool.OrderByDescending(n => Score(tree, n, score)).ThenBy(n => n).ToList();
            frontier = ranked.Take(width).ToList();
            foreach (var dropped in ranked.Skip(width)) run.Release(dropped);
        }
    }

    public static double Score(SearchTree tree, int node, BeamScore score) =>
        tree.Kind[node] == NodeKind.DeadEnd ? double.NegativeInfinity
        : score == BeamScore.Value ? tree.Value[node]
        : tree.CumulativeLogProb[node];

    /// <summary>The best answer of the frontier, else its best state; every answer is a candidate.</summary>
    public static SearchResult Finish(SearchRun run, string method, IReadOnlyList<int> frontier, BeamScore score)
    {
        var answers = frontier.Where(n => run.Tree.Kind[n] == NodeKind.Answer).ToList();
        var chosen = answers.Count > 0 ? answers[0] : frontier[0];
        var candidates = answers.Select(n => run.CandidateOf(n, Score(run.Tree, n, score))).ToList();
        return run.Finish(method, chosen, candidates);
    }
}

internal sealed class BeamSearch(BeamConfig config) : ISearch
{
    public string Name => "beam";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var frontier = LevelSearch.Run(run, config.Width, config.Expansions, config.Temperature, distinct: false, config.Score);
        return LevelSearch.Finish(run, Name, frontier, config.Score);
    }
}

internal sealed class TotBfsSearch(TotBfsConfig config) : ISearch
{
    public string Name => "tot-bfs";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var frontier = LevelSearch.Run(run, config.Breadth, config.Proposals, config.Temperature, distinct: true, BeamScore.Value);
        return LevelSearch.Finish(run, Name, frontier, BeamScore.Value);
    }
}
