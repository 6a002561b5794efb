using System.Diagnostics;
using Reasoner.Rewards;

namespace Reasoner.Search.Benchmark;

/// <summary>What a benchmark run measured: throughput of the search machinery with a synthetic policy.</summary>
public sealed record SearchBenchmarkResult(string Method, int Problems, long Nodes, long ProposerCalls, long ValueCalls, double Seconds)
{
    public double NodesPerSecond => Nodes / Seconds;
    public double ProposerCallsPerSecond => ProposerCalls / Seconds;
}

/// <summary>
/// Times a search method on a synthetic uniform tree (a policy that costs nothing), so the numbers are the
/// search's own overhead: tree bookkeeping, selection, batching. Compare methods side by side in one run.
/// </summary>
public static class SearchBenchmark
{
    public static SearchBenchmarkResult Run(string method, IReadOnlyDictionary<string, string>? options = null,
        int problems = 20, int branching = 8, int depth = 6, int seed = 0)
    {
        var search = SearchFactory.Create(method, options);
        var task = new SyntheticTask(depth);
        long nodes = 0, proposerCalls = 0, valueCalls = 0;
        var clock = Stopwatch.StartNew();
        foreach (var problem in task.Generate(Split.Test, problems, seed))
        {
            var policy = new SyntheticPolicy(branching, depth, tokensPerStep: 8);
            var spent = search.Run(task, problem, policy, policy, SearchBudget.Unlimited, new Random(seed)).Spent;
            nodes += spent.Nodes;
            proposerCalls += spent.ProposerCalls;
            valueCalls += spent.ValueCalls;
        }
        return new SearchBenchmarkResult(search.Name, problems, nodes, proposerCalls, valueCalls, clock.Elapsed.TotalSeconds);
    }
}
