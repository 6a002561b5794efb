using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Tests.Evaluation;

/// <summary>The searches of an evaluation at several budgets, their records, and the verdicts at equal tokens.</summary>
public class EqualComputeTests
{
    [Fact]
    public void TreeSearchesAlsoRunAtEachScaleOfTheirSizeAndOneSamplingRunCoversEveryK()
    {
        var methods = new[] { "greedy", "mcts[simulations=32]", "tot-bfs[breadth=5;proposals=8]", "best-of-n[samples=8]" }
            .Select(MethodSpec.Parse).Select(s => (s.Label, s)).ToList();
        var plan = EvaluationPlan.For(methods, new EvaluationBudgets(Samples: 16, SearchScales: [0.25, 0.5]), temperature: 0.7);

        Assert.Equal([
            ("system1", EvaluationRole.Method), ("mcts[simulations=32]", EvaluationRole.Method), ("tot-bfs[breadth=5;proposals=8]", EvaluationRole.Method),
            ("best-of-n[samples=8]", EvaluationRole.Method),
            ("mcts[simulations=32] @ simulations=16", EvaluationRole.Scaled), ("mcts[simulations=32] @ simulations=8", EvaluationRole.Scaled),
            // Breadth 5 halves to 3 (rounded half away from zero) and quarters to 1.
            ("tot-bfs[breadth=5;proposals=8] @ breadth=3", EvaluationRole.Scaled), ("tot-bfs[breadth=5;proposals=8] @ breadth=1", EvaluationRole.Scaled),
            ("sampling", EvaluationRole.Sampling),
        ], plan.Select(p => (p.Label, p.Role)));
        Assert.Equal("8", plan[5].Spec.Options["simulations"]);
        Assert.Equal("8", plan[6].Spec.Options["proposals"]); // only the size changes
        Assert.Equal(("best-of-n", "16", "0.7", "false"), (plan[^1].Spec.Method, plan[^1].Spec.Options["samples"], plan[^1].Spec.Options["temperature"], plan[^1].Spec.Options["vote"]));
        Assert.Equal("mcts[simulations=32]", EvaluationPlan.MethodOf("mcts[simulations=32] @ simulations=8"));
        Assert.Equal("mcts", EvaluationPlan.MethodOf("mcts"));

        // A size already at 1 has nothing smaller; no samples, no sampling run.
        var small = EvaluationPlan.For([("beam", MethodSpec.Parse("beam[width=1]"))], new EvaluationBudgets(Samples: 0), 1.0);
        Assert.Equal(["beam"], small.Select(p => p.Label));
    }

    [Fact]
    public void TheLoopScalesItsConfiguredSearchesByTheirOwnSettings()
    {
        var search = new SearchConfig(SearchMethod.Mcts, Temperature: 0.5, Mcts: new MctsConfig(Simulations: 24, Candidates: 6));
        var searches = LoopEvaluation.Searches(new EvaluationConfig(Methods: [SearchMethod.System1, SearchMethod.Mcts]), search);
        Assert.Equal(["system1", "mcts", "mcts @ simulations=12", "mcts @ simulations=6", "sampling"], searches.Select(s => s.Plan.Label));
        var scaled = searches[3].Plan.Spec;
        Assert.Equal(("6", "6", "0"), (scaled.Options["simulations"], scaled.Options["candidates"], scaled.Options["dirichlet-fraction"]));
        Assert.Equal(("32", "0.5"), (searches[^1].Plan.Spec.Options["samples"], searches[^1].Plan.Spec.Options["temperature"]));
        Assert.All(searches, s => Assert.Equal(search.MaxStepTokens, s.Plan.Budget.MaxStepTokens));
    }

    [Fact]
    public void BudgetsAreAConfigKeyWithDefaultsAndCheckedScales()
    {
        var config = ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: countdown}\nevaluation: {budgets: {samples: 64, search_scales: [0.5]}}\n", "x.yaml");
        Assert.Equal(64, config.Evaluation.Budgets.Samples);
        Assert.Equal([0.5], config.Evaluation.Budgets.SearchScales);
        var defaults = ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: countdown}\n", "x.yaml").Evaluation.Budgets;
        Assert.Equal(32, defaults.Samples);
        Assert.Equal([0.25, 0.5], defaults.SearchScales);
        var error = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: countdown}\nevaluation: {budgets: {search_scales: [0.5, 1]}}\n", "x.yaml"));
        Assert.Contains("evaluation.budgets.search_scales", error.Message);
    }

    /// <summary>Episodes of a sampling search of 3 samples on two problems under two seeds.</summary>
    private static List<Episode> SamplingEpisodes(Problem[] problems) =>
        new[] { 0, 1 }.SelectMany(seed => problems.Select(problem => new Episode(problem, "best-of-n",
            new ScoredCompletion("Answer: x", 1, true, "24", double.NaN),
            [
                new ScoredCompletion("a", 0, false, "23", 0.4),
                new ScoredCompletion("b", 1, true, "24", 0.9),
                new ScoredCompletion("c", 0, false, null, double.NaN),
            ], [], new ComputeSpent(60 + seed, 70, 3, 1, 2, 7, TimeSpan.Zero), new Provenance(1, 0, "c")))).ToList();

    [Fact]
    public void LoopRecordsAreRowsPerSeedForMethodsAndOutcomesPerProblemAndSeedForAll()
    {
        var problems = new TaskConfig("countdown", Numbers: 3).Create().Generate(Split.Test, 2, seed: 0).ToArray();
        var episodes = SamplingEpisodes(problems);
        var plan = new SearchPlan("sampling", MethodSpec.Parse("best-of-n[samples=3]"), new SearchBudget());

        var sampling = LoopEvaluation.Records(2, new EvaluationSearch(plan, EvaluationRole.Sampling), [4, 9], episodes, wallSeconds: 8);
        Assert.Empty(sampling.Rows);
        Assert.Equal([(4, problems[0].Id), (4, problems[1].Id), (9, problems[0].Id), (9, problems[1].Id)], sampling.Outcomes.Select(o => (o.Seed!.Value, o.ProblemId)));
        Assert.All(sampling.Outcomes, o => Assert.Equal((2, "sampling", true, 2L), (o.Iteration, o.Method, o.Correct, o.ValueCalls!.Value)));
        Assert.Equal([60L, 60, 61, 61], sampling.Outcomes.Select(o => o.GeneratedTokens!.Value));
        Assert.Equal([0, 1, SampledAnswers.NoAnswer], sampling.Outcomes[0].Samples!.Answers);
        Assert.Equal([0.4, 0.9, null], sampling.Outcomes[0].Samples!.Values);
        Assert.Equal(1.0, sampling.Accuracy);

        var method = LoopEvaluation.Records(2, new EvaluationSearch(plan with { Label = "best-of-n" }, EvaluationRole.Method), [4, 9], episodes, wallSeconds: 8);
        Assert.Equal([(2, "best-of-n", 2, 1.0, 120L, 4.0), (2, "best-of-n", 2, 1.0, 122L, 4.0)],
            method.Rows.Select(r => (r.Iteration, r.Method!, r.N!.Value, r.Accuracy!.Value, r.GeneratedTokens!.Value, r.WallSeconds!.Value)));
        Assert.All(method.Outcomes, o => Assert.Null(o.Samples));
        Assert.Throws<ArgumentException>(() => LoopEvaluation.Records(2, new EvaluationSearch(plan, EvaluationRole.Method), [4, 9, 10], episodes, 1));
    }

    /// <summary>
    /// 20 problems: System 1 (20 tokens) solves p0..p3; mcts (600 tokens) p0..p11, and at 8 simulations (150 tokens)
    /// p0..p5; a sampling run of 16 samples of 50 tokens each, sample j of problem p correct when j &lt; p % 4 + 1 and
    /// answering "24", else answering "23" (wrong), so maj@k is mostly wrong and pass@k rises with k.
    /// </summary>
    private static List<ProblemOutcome> Outcomes(int samples = 16)
    {
        var outcomes = new List<ProblemOutcome>();
        for (int p = 0; p < 20; p++)
        {
            string id = $"p{p}";
            outcomes.Add(new ProblemOutcome(0, "system1", id, p < 4, 0, 20, 0));
            outcomes.Add(new ProblemOutcome(0, "mcts", id, p < 12, 0, 600, 40));
            outcomes.Add(new ProblemOutcome(0, "mcts @ simulations=8", id, p < 6, 0, 150, 10));
            var drawn = Enumerable.Range(0, samples).Select(j => j < p % 4 + 1 ? ("24", true, 0.9) : ("23", false, 0.1));
            outcomes.Add(new ProblemOutcome(0, "sampling", id, true, 0, 50L * samples, samples, SampledAnswers.Of(drawn.Select(d => ((string?)d.Item1, d.Item2, d.Item3)))));
        }
        return outcomes;
    }

    [Fact]
    public void EverySearchIsMatchedWithTheSmallestKWhoseSamplesCostAtLeastItsTokens()
    {
        var comparison = ComputeComparison.Of(Outcomes(), 0)!;
        Assert.Equal(16, comparison.Samples);
        Assert.Equal(["system1", "mcts", "mcts @ simulations=8"], comparison.Points.Where(p => p.Series is not ("maj@k" or "best-of-k" or "pass@k")).Select(p => p.Label));
        Assert.Equal(["maj@1", "maj@2", "maj@4", "maj@8", "maj@16"], comparison.Points.Where(p => p.Series == "maj@k").Select(p => p.Label));
        Assert.Equal([50.0, 100, 200, 400, 800], comparison.Points.Where(p => p.Series == "maj@k").Select(p => p.GeneratedTokensPerProblem));
        Assert.All(comparison.Points.Where(p => p.Series == "pass@k"), p => Assert.True(p.Oracle));
        // pass@16 = every problem has a correct sample; best-of-k picks the 0.9-valued correct one whenever it is in the subset.
        Assert.Equal(1.0, comparison.Points.Single(p => p.Label == "pass@16").Scores.Accuracy.Estimate, 12);
        Assert.Equal(1.0, comparison.Points.Single(p => p.Label == "best-of-16").Scores.Accuracy.Estimate, 12);

        var mcts = comparison.Verdicts.Single(v => v.Search.Label == "mcts");
        // 600 tokens: 12 samples of 50. maj@12 is wrong unless more than half the samples answer 24: never here.
        Assert.Equal(("maj@12", 12, 600.0), (mcts.VersusMajority!.Label, mcts.VersusMajority.K, mcts.VersusMajority.GeneratedTokensPerProblem));
        Assert.Equal(0.0, mcts.VersusMajority.Accuracy.Estimate, 12);
        Assert.StartsWith("ahead (+60.0 points, p<0.001)", ComputeComparison.Verdict(mcts.VersusMajority.Test));
        // best-of-12 misses only when the subset leaves out all c correct samples: C(16 - c, 12) / C(16, 12), c = 1..4,
        // so it solves 92.3% on average (1,820 subsets, 1,000 of them drawn), far above MCTS.
        Assert.InRange(mcts.VersusBest!.Accuracy.Estimate, 0.923 - 0.02, 0.923 + 0.02);
        Assert.StartsWith("behind (-3", ComputeComparison.Verdict(mcts.VersusBest.Test));
        Assert.StartsWith("ahead (+40.0 points, p=0.008)", ComputeComparison.Verdict(mcts.VersusSystemOne!));
        var small = comparison.Verdicts.Single(v => v.Search.Label == "mcts @ simulations=8");
        Assert.Equal(3, small.VersusMajority!.K); // 150 tokens: exactly 3 samples
        Assert.StartsWith("not significantly different (+10.0 points, p=0.500)", ComputeComparison.Verdict(small.VersusSystemOne!));
    }

    [Fact]
    public void ASearchCostlierThanAllTheSamplesIsNotMatchedAndSaysHowManyWouldBe()
    {
        var comparison = ComputeComparison.Of(Outcomes(samples: 4), 0)!;
        var mcts = comparison.Verdicts.Single(v => v.Search.Label == "mcts");
        Assert.Null(mcts.VersusMajority);
        Assert.Null(mcts.VersusBest);
        Assert.Equal(12, mcts.SamplesNeeded);
        Assert.NotNull(comparison.Verdicts.Single(v => v.Search.Label == "mcts @ simulations=8").VersusMajority);
        Assert.Null(ComputeComparison.Of(Outcomes(), iteration: 3));
    }

    [Fact]
    public void RowsCutShortByATokenBudgetCountTheirOwnSamples()
    {
        // p0 drew 4 samples for 200 tokens, p1 only 2 for 100 (its budget ran out): a sample costs 50 either way, and the
        // curves stop at the 2 samples every row has.
        var answers = SampledAnswers.Of([("24", true, 0.5), ("24", true, 0.5), ("23", false, 0.5), ("23", false, 0.5)]);
        var shorter = SampledAnswers.Of([("24", true, 0.5), ("23", false, 0.5)]);
        ProblemOutcome[] outcomes =
        [
            new(0, "sampling", "p0", true, 0, 200, 4, answers),
            new(0, "sampling", "p1", true, 0, 100, 2, shorter),
            new(0, "system1", "p0", false, 0, 40, 0),
            new(0, "system1", "p1", false, 0, 40, 0),
        ];
        var comparison = ComputeComparison.Of(outcomes, 0)!;
        Assert.Equal(2, comparison.Samples);
        Assert.Equal([("maj@1", 50.0), ("maj@2", 100.0)], comparison.Points.Where(p => p.Series == "maj@k").Select(p => (p.Label, p.GeneratedTokensPerProblem)));
        // Each sample was scored once, so best-of-k asks the value model k times.
        Assert.Equal([("best-of-1", 1.0), ("best-of-2", 2.0)], comparison.Points.Where(p => p.Series == "best-of-k").Select(p => (p.Label, p.Scores.ValueCallsPerProblem!.Value)));
    }
}
