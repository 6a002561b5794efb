namespace Reasoner.Search.Tests;

public class BudgetTests
{
    static readonly LineTask Task4 = new(maxSteps: 4);

    static SearchResult Run(string method, SearchBudget budget, int seed, Dictionary<string, string>? options = null) =>
        SearchFactory.Create(method, options).Run(Task4, Scripts.Problem, new ScriptedProposer(Scripts.Uniform(5, 4)),
            new ScriptedValue(Scripts.PreferOnes), budget, new Random(seed));

    public static TheoryData<string> Methods() => [.. SearchFactory.Methods];

    [Theory]
    [MemberData(nameof(Methods))]
    public void NoBudgetIsEverExceeded(string method)
    {
        var budgets = new List<SearchBudget>();
        foreach (var limit in new[] { 0, 1, 7, 30, 90, 250 })
        {
            budgets.Add(new SearchBudget(MaxGeneratedTokens: limit, MaxStepTokens: 12));
            budgets.Add(new SearchBudget(MaxForwardTokens: limit + 3, MaxStepTokens: 12));
            budgets.Add(new SearchBudget(MaxNodes: limit / 3 + 1, MaxStepTokens: 12));
            budgets.Add(new SearchBudget(MaxValueEvaluations: limit / 5));
            budgets.Add(new SearchBudget(MaxGeneratedTokens: limit * 2, MaxNodes: limit / 2 + 1, MaxValueEvaluations: limit / 4, MaxStepTokens: 12));
        }
        foreach (var budget in budgets)
            for (var seed = 0; seed < 3; seed++)
            {
                var spent = Run(method, budget, seed).Spent;
                Assert.True(spent.GeneratedTokens <= (budget.MaxGeneratedTokens ?? long.MaxValue), $"{method} {budget}: {spent}");
                Assert.True(spent.ForwardTokens <= (budget.MaxForwardTokens ?? long.MaxValue), $"{method} {budget}: {spent}");
                Assert.True(spent.Nodes <= (budget.MaxNodes ?? int.MaxValue), $"{method} {budget}: {spent}");
                Assert.True(spent.ValueEvaluations <= (budget.MaxValueEvaluations ?? long.MaxValue), $"{method} {budget}: {spent}");
            }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void TheSameSeedRepeatsTheWholeTree(string method)
    {
        var a = Run(method, SearchBudget.Unlimited, seed: 9);
        var b = Run(method, SearchBudget.Unlimited, seed: 9);
        Assert.Equal(MctsTests.TreeFingerprint(a.Tree), MctsTests.TreeFingerprint(b.Tree));
        Assert.Equal(a.Completion, b.Completion);
        Assert.Equal(a.Spent with { WallTime = TimeSpan.Zero }, b.Spent with { WallTime = TimeSpan.Zero });
    }

    [Fact]
    public void AGenerousBudgetIsSpentUpToItsLimit()
    {
        // 60 nodes: MCTS keeps simulating until another expansion would pass the limit.
        var spent = Run("mcts", new SearchBudget(MaxNodes: 60), seed: 1, new() { ["simulations"] = "1000" }).Spent;
        Assert.InRange(spent.Nodes, 60 - 8, 60);
    }

    [Fact]
    public void AWallTimeOfZeroStopsBeforeTheFirstCall()
    {
        var result = Run("tot-bfs", new SearchBudget(MaxWallTime: TimeSpan.Zero), seed: 1);
        Assert.Equal(0, result.Spent.ProposerCalls);
        Assert.Equal([SearchTree.Root], result.ChosenPath);
        Assert.Equal("", result.Completion);
    }
}
