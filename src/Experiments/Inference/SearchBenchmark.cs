using System.Diagnostics;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Inference;

/// <summary>One method's speed over the benchmark's problems, with the KV cache reused and with prefixes re-encoded.</summary>
/// <param name="Nodes">Search-tree nodes over all problems (the same in both modes: the searches are identical).</param>
/// <param name="ReuseForwardTokens">Tokens the policy ran forward with cache reuse (prompts and generated tokens).</param>
/// <param name="ReEncodeForwardTokens">The same searches re-encoding every proposal's prefix.</param>
public sealed record SearchSpeed(
    string Method, int Problems, long Nodes, long GeneratedTokens,
    long ReuseForwardTokens, double ReuseSeconds, long ReEncodeForwardTokens, double ReEncodeSeconds)
{
    public double NodesPerSecond => Nodes / ReuseSeconds;
    public double GeneratedTokensPerSecond => GeneratedTokens / ReuseSeconds;
    /// <summary>How many times more tokens re-encoding runs forward for the same search.</summary>
    public double ForwardTokenRatio => (double)ReEncodeForwardTokens / ReuseForwardTokens;
    /// <summary>How many times longer the same search takes re-encoding prefixes.</summary>
    public double WallTimeRatio => ReEncodeSeconds / ReuseSeconds;
}

/// <summary>
/// Search speed with a policy (a random-init GPT for a benchmark): every method on the same problems and seeds, once
/// reusing the KV cache and once re-encoding each proposal's prefix, so the two differ only in the prefix work.
/// </summary>
public static class SearchBenchmark
{
    public static IReadOnlyList<SearchSpeed> Run(Gpt model, Tokenizer tokenizer, WorkerPool pool, ITask task, IReadOnlyList<Problem> problems,
        IReadOnlyList<string> methods, SearchBudget budget, int seed)
    {
        var speeds = new List<SearchSpeed>();
        foreach (var method in methods)
        {
            var search = SearchFactory.Create(method);
            var (nodes, generated, reuseTokens, reuseSeconds) = Time(PrefixMode.CacheReuse);
            var (reNodes, reGenerated, reEncodeTokens, reEncodeSeconds) = Time(PrefixMode.ReEncode);
            if (reNodes != nodes || reGenerated != generated)
                throw new InvalidOperationException($"{method}: re-encoding searched a different tree ({reNodes} nodes, {reGenerated} tokens vs {nodes}, {generated})");
            speeds.Add(new SearchSpeed(method, problems.Count, nodes, generated, reuseTokens, reuseSeconds, reEncodeTokens, reEncodeSeconds));

            (long Nodes, long Generated, long Forward, double Seconds) Time(PrefixMode mode)
            {
                // Built before the clock starts: allocating the cache is not part of searching.
                var proposer = new PolicyProposer(model, tokenizer, pool, slots: 256, mode);
                var value = new PolicyValueEstimator(proposer);
                long nodeCount = 0;
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < problems.Count; i++)
                    nodeCount += search.Run(task, problems[i], proposer, value, budget, new Random(seed + i)).Spent.Nodes;
                return (nodeCount, proposer.GeneratedTokens, proposer.ForwardTokens, clock.Elapsed.TotalSeconds);
            }
        }
        return speeds;
    }
}
