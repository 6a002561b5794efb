using Reasoner.Experiments.Inference;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Inference;

/// <summary>Every search method on the random tiny GPT for Countdown: runs, stays in budget, leaks no slot.</summary>
public sealed class SearchEndToEndTests : IDisposable
{
    readonly TinyPolicy tiny = new();
    readonly WorkerPool pool = new(1);

    public void Dispose() => pool.Dispose();

    public static TheoryData<string> Methods => new(SearchFactory.Methods);

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryMethodRunsWithinItsBudgetAndReleasesEverySlot(string method)
    {
        var proposer = new PolicyProposer(tiny.Model, tiny.Tokenizer, pool, slots: 16);
        var value = new PolicyValueEstimator(proposer);
        var budget = new SearchBudget(MaxGeneratedTokens: 1500, MaxValueEvaluations: 200, MaxStepTokens: 24);
        var options = method == "mcts" ? new Dictionary<string, string> { ["simulations"] = "8", ["candidates"] = "4" } : null;
        var search = SearchFactory.Create(method, options);
        var result = search.Run(tiny.Task, tiny.Problem, proposer, value, budget, new Random(1));

        Assert.Equal(method, result.Method);
        Assert.InRange(result.Spent.GeneratedTokens, 1, 1500);
        Assert.InRange(result.Spent.ValueEvaluations, 0, 200);
        Assert.Equal(proposer.GeneratedTokens, result.Spent.GeneratedTokens);
        Assert.Equal(value.Evaluations, result.Spent.ValueEvaluations);
        Assert.Equal(0, proposer.LiveStates);
        Assert.Equal(0, proposer.SlotsInUse);
        Assert.Equal(result.Completion, string.Join("\n", result.ChosenPath.Skip(1).Select(n => result.Tree.Step[n])));
    }
}
