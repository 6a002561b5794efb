using Reasoner.Rewards;
using Reasoner.Search.Metrics;

namespace Reasoner.Search;

/// <summary>Independent samples: how many, at what temperature.</summary>
/// <param name="Samples">n, the number of completions drawn.</param>
/// <param name="Temperature">1 samples the policy as it is.</param>
public sealed record SampleConfig(int Samples = 16, float Temperature = 1.0f);

/// <summary>Best-of-N: n samples at a temperature, chosen by the value model.</summary>
/// <param name="Vote">
/// False: the finished sample the value model rates highest. True: value-weighted voting (Li et al. 2023, "Making
/// language models better reasoners with step-aware verifier"; Uesato et al. 2022): the final answer whose samples'
/// values sum highest, so a value model that cannot tell two answers apart falls back to the majority instead of to
/// whichever rare sample it happens to rate a hair higher. Samples without an answer do not vote.
/// </param>
public sealed record BestOfNConfig(int Samples = 16, float Temperature = 1.0f, bool Vote = false);

/// <summary>
/// Chains of single steps from the root: the engine of System 1, sampling and best-of-N. The root proposes
/// n first steps in one call; then every unfinished chain proposes its next step, all chains in one call per step.
/// </summary>
internal static class Chains
{
    /// <summary>Returns the last node of each chain, in sample order (open when the budget ran out first).</summary>
    public static IReadOnlyList<int> Sample(SearchRun run, int samples, float temperature)
    {
        var tree = run.Tree;
        var first = (int)Math.Min(samples, run.AffordableProposals());
        if (first == 0) return [SearchTree.Root];
        run.Expand([SearchTree.Root], first, temperature, distinct: false);
        run.Release(SearchTree.Root);
        var leaves = Enumerable.Range(tree.ChildStart[SearchTree.Root], tree.ChildCount[SearchTree.Root]).ToArray();
        if (leaves.Length == 0) return [SearchTree.Root];
        while (true)
        {
            var open = Enumerable.Range(0, leaves.Length).Where(i => tree.Kind[leaves[i]] == NodeKind.Open).ToList();
            var affordable = (int)Math.Min(open.Count, run.AffordableProposals());
            if (affordable == 0) return leaves;
            var batch = open.Take(affordable).ToList();
            run.Expand(batch.Select(i => leaves[i]).ToList(), 1, temperature, distinct: false);
            foreach (var i in batch)
            {
                run.Release(leaves[i]);
                // A chain whose proposer found nothing is now a dead end and stays where it is.
                if (tree.ChildCount[leaves[i]] == 1) leaves[i] = tree.ChildStart[leaves[i]];
            }
        }
    }
}

/// <summary>System 1: one greedy pass, the most likely step each time.</summary>
internal sealed class GreedySearch : ISearch
{
    public string Name => "greedy";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var leaf = Chains.Sample(run, 1, temperature: 0)[0];
        return run.Finish(Name, leaf, [run.CandidateOf(leaf, double.NaN)]);
    }
}

/// <summary>
/// n samples at a temperature; the chosen completion is the majority answer (self-consistency, Wang et al.
/// 2022), and every sample is a candidate, so the caller can report pass@k and maj@k apart.
/// </summary>
internal sealed class SamplingSearch(SampleConfig config) : ISearch
{
    public string Name => "sample";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var leaves = Chains.Sample(run, config.Samples, config.Temperature);
        var candidates = leaves.Select(leaf => run.CandidateOf(leaf, double.NaN)).ToList();
        var winner = MajorityVote.Winner(candidates.Select(c => c.Answer).ToList());
        return run.Finish(Name, winner is { } w ? candidates[w].Node : leaves[0], candidates);
    }
}

/// <summary>Best-of-N: n samples, the one the value model rates highest, or the answer its values vote for (no verifier at test time).</summary>
internal sealed class BestOfNSearch(BestOfNConfig config) : ISearch
{
    public string Name => "best-of-n";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var leaves = Chains.Sample(run, config.Samples, config.Temperature);
        // Rank finished samples only; if the value budget cannot cover them all, the first ones are rated.
        var finished = leaves.Where(l => run.Tree.Kind[l] != NodeKind.Open).ToList();
        var rated = new List<int>();
        var affordable = run.AffordableEvaluations();
        foreach (var leaf in finished)
        {
            var needed = run.EvaluationsNeeded([leaf]);
            if (needed > affordable) break;
            affordable -= needed;
            rated.Add(leaf);
        }
        run.Evaluate(rated);
        var candidates = leaves.Select(l => run.CandidateOf(l, float.IsNaN(run.Tree.Value[l]) ? double.NaN : run.Tree.Value[l])).ToList();
        var rankedCandidates = candidates.Where(c => !double.IsNaN(c.Score));
        if (config.Vote && rankedCandidates.Any(c => c.Answer is not null))
        {
            var votes = rankedCandidates.Where(c => c.Answer is not null).GroupBy(c => c.Answer, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(c => c.Score)).First();
            rankedCandidates = votes;
        }
        var best = rankedCandidates.OrderByDescending(c => c.Score).FirstOrDefault();
        return run.Finish(Name, best?.Node ?? leaves[0], candidates);
    }
}
