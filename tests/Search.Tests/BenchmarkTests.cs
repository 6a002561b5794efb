using Reasoner.Search.Benchmark;

namespace Reasoner.Search.Tests;

public class BenchmarkTests
{
    [Fact]
    public void TheBenchmarkRunsEveryMethodAndCountsWhatItSpent()
    {
        foreach (var method in SearchFactory.Methods)
        {
            var result = SearchBenchmark.Run(method, problems: 2, branching: 4, depth: 3);
            Assert.Equal(method, result.Method);
            Assert.Equal(2, result.Problems);
            // Every method reaches at least one answer per problem: the root and depth nodes on its path.
            Assert.True(result.Nodes >= 2 * 4, $"{method}: {result}");
            Assert.True(result.ProposerCalls >= 2 * 3, $"{method}: {result}");
        }
    }

    [Fact]
    public void TheSyntheticTaskAcceptsItsExpertAndItsPolicyReachesIt()
    {
        var task = new SyntheticTask(depth: 3);
        var problem = task.Generate(Rewards.Split.Test, 1, 0)[0];
        Assert.True(task.Verify(problem, string.Join("\n", task.Solve(problem)), new Rewards.RewardConfig()).Correct);
        var policy = new SyntheticPolicy(branching: 4, depth: 3, tokensPerStep: 8);
        var result = SearchFactory.Greedy().Run(task, problem, policy, policy, SearchBudget.Unlimited, new Random(0));
        Assert.Equal("s0\ns0\nAnswer: 0", result.Completion);
        Assert.True(task.Verify(problem, result.Completion, new Rewards.RewardConfig()).Correct);
    }
}
