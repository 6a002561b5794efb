namespace Reasoner.Search.Tests;

public class AlgorithmTests
{
    static readonly LineTask Task3 = new(maxSteps: 3);

    static (ScriptedProposer Proposer, ScriptedValue Value) Policy(int width = 4, int depth = 3) =>
        (new ScriptedProposer(Scripts.Uniform(width, depth)), new ScriptedValue(Scripts.PreferOnes));

    [Fact]
    public void GreedyFollowsTheMostLikelyStepsAndCountsItsTokens()
    {
        var (proposer, value) = Policy();
        var result = SearchFactory.Greedy().Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(1));
        Assert.Equal("d0c0\nd1c0\nAnswer: 00", result.Completion);
        Assert.Equal("00", result.Answer);
        Assert.Equal([0, 1, 2, 3], result.ChosenPath);
        Assert.Equal(5 + 5 + 11, result.Spent.GeneratedTokens);
        Assert.Equal("p0\n".Length + 21, result.Spent.ForwardTokens);
        Assert.Equal(3, result.Spent.ProposerCalls);
        Assert.Equal(0, result.Spent.ValueCalls);
        Assert.Equal(0, proposer.Live);
    }

    [Fact]
    public void SamplingChoosesTheMajorityAnswerAndKeepsEverySample()
    {
        // Two answers only: "x" is the likelier, so the majority of 15 samples carries it.
        var proposer = new ScriptedProposer(prefix => prefix.Count == 0 ? [("Answer: x", -0.2), ("Answer: y", -1.8)] : []);
        var result = SearchFactory.Create(new SampleConfig(Samples: 15)).Run(Task3, Scripts.Problem, proposer, new ScriptedValue(_ => 0.5f), SearchBudget.Unlimited, new Random(3));
        Assert.Equal(15, result.Candidates.Count);
        var xs = result.Candidates.Count(c => c.Answer == "x");
        Assert.True(xs > 7, $"{xs} of 15 samples answered x");
        Assert.Equal("x", result.Answer);
        Assert.Equal(1, result.Spent.ProposerCalls);
        Assert.Equal(0, proposer.Live);
    }

    [Fact]
    public void SamplesAdvanceTogetherInOneCallPerStep()
    {
        var (proposer, value) = Policy();
        var result = SearchFactory.Create(new SampleConfig(Samples: 6)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(5));
        Assert.Equal([1, 6, 6], proposer.BatchSizes);
        Assert.All(result.Candidates, c => Assert.NotNull(c.Answer));
    }

    [Fact]
    public void BestOfNChoosesTheSampleTheValueModelRatesHighest()
    {
        var (proposer, _) = Policy(width: 3);
        var value = new ScriptedValue(steps => steps.Count > 0 && steps[^1] == "Answer: 22" ? 0.99f : Scripts.PreferOnes(steps));
        var result = SearchFactory.BestOfN(new BestOfNConfig(Samples: 40, Temperature: 3f)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(2));
        var best = result.Candidates.MaxBy(c => c.Score)!;
        Assert.Equal(best.Node, result.ChosenPath[^1]);
        Assert.Contains(result.Candidates, c => c.Answer == "22");
        Assert.Equal("22", result.Answer);
        Assert.Equal([40], value.BatchSizes);
    }

    [Fact]
    public void BestOfNVotingChoosesTheAnswerWhoseValuesSumHighest()
    {
        var (proposer, _) = Policy(width: 3);
        // "22" is rated highest but drawn rarely; every other answer is rated a little lower: their sum wins the vote.
        var value = new ScriptedValue(steps => steps.Count > 0 && steps[^1] == "Answer: 22" ? 0.6f : 0.5f);
        var plain = SearchFactory.BestOfN(new BestOfNConfig(Samples: 40, Temperature: 3f)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(2));
        Assert.Equal("22", plain.Answer);
        var voted = SearchFactory.BestOfN(new BestOfNConfig(Samples: 40, Temperature: 3f, Vote: true)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(2));
        var sums = voted.Candidates.Where(c => c.Answer is not null).GroupBy(c => c.Answer).ToDictionary(g => g.Key!, g => g.Sum(c => c.Score));
        Assert.Equal(sums.MaxBy(kv => kv.Value).Key, voted.Answer);
        Assert.NotEqual("22", voted.Answer);
        Assert.Equal(plain.Candidates.Select(c => c.Completion), voted.Candidates.Select(c => c.Completion)); // same samples, another choice
    }

    [Fact]
    public void BeamKeepsExactlyWidthHypothesesAndScoresByValue()
    {
        var (proposer, value) = Policy(width: 5);
        var result = SearchFactory.Create(new BeamConfig(Width: 3, Expansions: 5, Temperature: 0)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(1));
        // One call for the root, then exactly w = 3 beams per step.
        Assert.Equal([1, 3, 3], proposer.BatchSizes);
        Assert.Equal([5, 15, 15], value.BatchSizes);
        Assert.Equal(3, result.Candidates.Count);
        Assert.Equal("d0c1\nd1c1\nAnswer: 11", result.Completion);
        Assert.Equal(0, proposer.Live);
    }

    [Fact]
    public void BeamByLogProbKeepsTheLikeliestPathsWithoutValueCalls()
    {
        var (proposer, value) = Policy(width: 5);
        var result = SearchFactory.Create(new BeamConfig(Width: 2, Expansions: 5, Score: BeamScore.LogProb, Temperature: 0)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(1));
        Assert.Equal("d0c0\nd1c0\nAnswer: 00", result.Completion);
        Assert.Equal([1, 2, 2], proposer.BatchSizes);
        Assert.Empty(value.BatchSizes);
        Assert.True(result.Candidates[0].Score >= result.Candidates[1].Score);
    }

    [Fact]
    public void TotBfsMergesRepeatedProposalsAndKeepsTheBestByValue()
    {
        var (proposer, value) = Policy(width: 4);
        var result = SearchFactory.Create(new TotBfsConfig(Proposals: 16, Breadth: 2, Temperature: 1)).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(4));
        var tree = result.Tree;
        for (var n = 0; n < tree.Count; n++)
        {
            var steps = Enumerable.Range(tree.ChildStart[n] < 0 ? 0 : tree.ChildStart[n], tree.ChildCount[n]).Select(c => tree.Step[c]).ToList();
            Assert.Equal(steps.Count, steps.Distinct().Count());
        }
        Assert.Equal("11", result.Answer);
        Assert.Equal([1, 2, 2], proposer.BatchSizes);
    }

    [Fact]
    public void TotDfsBacktracksFromADeadBranch()
    {
        // The value model likes "a" best, but "a" leads nowhere; "b" reaches the answer.
        var proposer = new ScriptedProposer(prefix => string.Join("|", prefix) switch
        {
            "" => [("a", -0.1), ("b", -0.5), ("c", -0.9)],
            "a" => [("a1", -0.1), ("a2", -0.2)],
            "b" => [("Answer: 42", -0.1)],
            _ => [],
        });
        var value = new ScriptedValue(steps => string.Join("|", steps) switch
        {
            "a" => 0.9f, "b" => 0.7f, "c" => 0.1f, "a|a1" => 0.6f, "a|a2" => 0.55f, "b|Answer: 42" => 0.8f, _ => 0f,
        });
        var result = SearchFactory.Create(new TotDfsConfig(Proposals: 3, PruneThreshold: 0.5f, Temperature: 0)).Run(new LineTask(4), Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(1));
        Assert.Equal("b\nAnswer: 42", result.Completion);
        var steps = Enumerable.Range(0, result.Tree.Count).Select(n => result.Tree.Step[n]).ToList();
        Assert.Contains("a1", steps);
        // "c" is pruned (0.1 < 0.5): never expanded.
        Assert.False(result.Tree.IsExpanded(steps.IndexOf("c")));
        Assert.Equal(0, proposer.Live);
    }

    [Fact]
    public void EverySearchReleasesEveryHandleAndNeverCallsTheVerifier()
    {
        foreach (var method in SearchFactory.Methods)
        {
            var (proposer, value) = Policy();
            var result = SearchFactory.Create(method).Run(Task3, Scripts.Problem, proposer, value, SearchBudget.Unlimited, new Random(7));
            Assert.Equal(0, proposer.Live);
            Assert.All(Enumerable.Range(0, result.Tree.Count), n => Assert.False(result.Tree.HandleLive[n]));
            Assert.Equal(result.Tree.Count, result.Spent.Nodes);
            Assert.NotNull(result.Answer);
        }
    }
}
