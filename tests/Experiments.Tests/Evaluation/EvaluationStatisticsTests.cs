using System.Text.Json;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Tests.Evaluation;

public sealed class EvaluationStatisticsTests
{
    /// <summary>Ten problems; each method's row lists which it solved.</summary>
    static MethodEvaluation Scripted(string name, bool[] solved, int tokens = 10) =>
        MethodEvaluation.From(name, solved.Select((c, i) => new ProblemResult($"p{i}", c, c ? 1 : 0, c ? "24" : null, tokens, tokens + 5, 2, 3, 0.5)).ToList());

    readonly bool[] SystemOne = [false, false, false, false, false, false, false, true, true, false];
    readonly bool[] Search = [true, true, true, true, true, true, true, false, true, false];

    [Fact]
    public void AccuracyHasTheWilsonIntervalAndComputeIsPerProblem()
    {
        var search = Scripted("mcts", Search, tokens: 40);
        Assert.Equal(8, search.Correct);
        Assert.Equal(0.8, search.Accuracy.Estimate, 12);
        // Wilson 95% interval of 8/10 (z = 1.959964): [0.490162, 0.943318].
        Assert.Equal(0.490162, search.Accuracy.Low, 5);
        Assert.Equal(0.943318, search.Accuracy.High, 5);
        Assert.Equal(40, search.MeanGeneratedTokens);
        Assert.Equal(45, search.MeanPolicyTokens);
        Assert.Equal(2, search.MeanValueEvaluations);
        Assert.Equal(5, search.Seconds, 12);
        Assert.Equal(0.8, search.MeanReward, 12);
    }

    [Fact]
    public void PairedTestIsTheExactMcNemarOfTheDiscordantProblems()
    {
        var paired = PairedComparison.Of(Scripted("mcts", Search), Scripted("system1", SystemOne));
        // Solved by mcts alone: p0..p6 (7); by system 1 alone: p7 (1). p = 2 * P(X <= 1 | 8, 1/2) = 2 * 9 / 256.
        Assert.Equal((7, 1), (paired.OnlyA, paired.OnlyB));
        Assert.Equal(0.0703125, paired.PValue, 12);
        Assert.Equal(1.0, PairedComparison.Of(Scripted("a", SystemOne), Scripted("b", SystemOne)).PValue);
    }

    [Fact]
    public void PairingRefusesDifferentProblems()
    {
        var shorter = MethodEvaluation.From("x", [new ProblemResult("p0", true, 1, null, 1, 1, 0, 1, 0)]);
        Assert.Throws<ArgumentException>(() => PairedComparison.Of(shorter, Scripted("system1", SystemOne)));
    }

    [Fact]
    public void JsonLineHasExactlyTheDocumentedShape()
    {
        var system1 = Scripted("system1", SystemOne);
        var mcts = Scripted("mcts", Search);
        var report = new EvaluationReport("countdown", "test", 10, 7, [system1, mcts], [PairedComparison.Of(mcts, system1)]);
        var line = report.ToJsonLine();
        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(["task", "split", "n", "seed", "methods", "paired", "equal_compute"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("countdown", "test", 10, 7), (root.GetProperty("task").GetString(), root.GetProperty("split").GetString(), root.GetProperty("n").GetInt32(), root.GetProperty("seed").GetInt32()));
        var methods = root.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(2, methods.Count);
        Assert.Equal(["name", "accuracy", "ci_low", "ci_high", "mean_generated_tokens", "mean_policy_tokens", "mean_value_calls", "mean_nodes", "seconds"],
            methods[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("mcts", methods[1].GetProperty("name").GetString());
        Assert.Equal(0.8, methods[1].GetProperty("accuracy").GetDouble(), 12);
        var paired = Assert.Single(root.GetProperty("paired").EnumerateArray());
        Assert.Equal(["a", "b", "p_value"], paired.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("mcts", "system1"), (paired.GetProperty("a").GetString(), paired.GetProperty("b").GetString()));
        Assert.Equal(0.0703125, paired.GetProperty("p_value").GetDouble(), 12);
    }

    [Fact]
    public void WriteAppendsOneMetricsRowPerMethodAndEveryOutcome()
    {
        using var folder = new TempFolder();
        var system1 = Scripted("system1", SystemOne);
        var mcts = Scripted("mcts", Search);
        var report = new EvaluationReport("countdown", "test", 10, 0, [system1, mcts], [PairedComparison.Of(mcts, system1)]);
        var metricsPath = Path.Combine(folder.Path, "metrics.jsonl");
        var outcomesPath = Path.Combine(folder.Path, "outcomes.jsonl");
        using (var metrics = new MetricsWriter(metricsPath, Path.Combine(folder.Path, "metrics.csv")))
        using (var outcomes = new OutcomesWriter(outcomesPath))
            report.Write(3, metrics, outcomes);
        var rows = JsonLines.Read<MetricsRow>(metricsPath);
        Assert.Equal(["system1", "mcts"], rows.Select(r => r.Method));
        Assert.All(rows, r => Assert.Equal((3, Stage.Evaluation, 10), (r.Iteration, r.Stage, r.N!.Value)));
        Assert.Equal(0.8, rows[1].Accuracy!.Value, 12);
        Assert.Equal(100, rows[1].GeneratedTokens); // 10 problems of 10 tokens: totals, not means
        var written = JsonLines.Read<ProblemOutcome>(outcomesPath);
        Assert.Equal(20, written.Count);
        Assert.Equal(8, written.Count(o => o.Method == "mcts" && o.Correct));
    }

    [Theory]
    [InlineData("mcts", "mcts", 0)]
    [InlineData("MCTS[simulations=32;c-puct=2]", "mcts[c-puct=2;simulations=32]", 2)]
    [InlineData("greedy", "system1", 0)]
    public void SpecsParseWithTheirOptions(string text, string label, int options)
    {
        var spec = MethodSpec.Parse(text);
        Assert.Equal(label, spec.Label);
        Assert.Equal(options, spec.Options.Count);
    }

    [Fact]
    public void SpecListsKeepBracketedCommasAndRejectUnknownOptions()
    {
        Assert.Equal(["system1", "beam[width=2]", "mcts"], MethodSpec.ParseList("greedy, beam[width=2],mcts").Select(s => s.Label));
        Assert.Throws<FormatException>(() => MethodSpec.Parse("mcts[depth=3]"));
        Assert.Throws<FormatException>(() => MethodSpec.Parse("astar"));
        Assert.Throws<FormatException>(() => MethodSpec.Of("beam", ["width"]));
    }

    [Fact]
    public void ExperimentMethodsMapToSearchesWithTheirSettingsAndNoNoiseInEvaluation()
    {
        var config = new Reasoner.Experiments.Config.SearchConfig(Samples: 5, Temperature: 0.5);
        var specs = Enum.GetValues<Reasoner.Experiments.Config.SearchMethod>().Select(m => MethodSpec.ForEvaluation(m, config)).ToList();
        Assert.Equal(["greedy", "sample", "best-of-n", "beam", "tot-bfs", "tot-dfs", "mcts"], specs.Select(s => s.Method));
        Assert.Equal("5", specs[1].Options["samples"]);
        Assert.Equal("0", specs[6].Options["dirichlet-fraction"]);
        Assert.Equal(config.Mcts.Simulations.ToString(System.Globalization.CultureInfo.InvariantCulture), specs[6].Options["simulations"]);
        Assert.All(specs, s => Assert.NotNull(s.Create()));
        // The proposals' temperature reaches every sampling method, MCTS's candidates included.
        Assert.All(specs.Skip(1).Take(5), s => Assert.Equal("0.5", s.Options["temperature"]));
        Assert.Equal("0.5", specs[6].Options["proposal-temperature"]);
        Assert.Equal("0.5", Reasoner.Experiments.SelfImprovement.SearchPlan.ForSelfImprovement(config).Spec.Options["proposal-temperature"]);
    }
}
