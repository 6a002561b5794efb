using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;
using Reasoner.Tensors;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>The loop on the real GPT policy, at a size that runs in seconds: every stage, every file, well-formed metrics.</summary>
public sealed class GptLoopTests : IDisposable
{
    private readonly string _results = Path.Combine(Path.GetTempPath(), "reasoner-gpt-loop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_results)) Directory.Delete(_results, recursive: true);
    }

    private static ExperimentConfig Tiny(SelfImprovementAlgorithm algorithm, SearchConfig search, int iterations, ValueNetwork value) => new(
        "tiny", new TaskConfig("countdown", Numbers: 3, MaxNumber: 9, MaxTarget: 30), Seed: 1,
        Model: new ModelConfig(Layers: 1, DModel: 32, Heads: 2, Context: 96),
        Imitation: new ImitationConfig(Demonstrations: 64, Steps: 30, Batch: 16, Lr: 3e-3, ValueProblems: 8, ValueSamples: 2, ValueSteps: 5,
            ValueNetwork: value),
        SelfImprovement: new SelfImprovementConfig(algorithm, iterations, ProblemsPerIteration: 8, Search: search, Workers: 2,
            // Every prefix: the tiny policy finishes few answers, and these tests check that the loop's value trains.
            StepsPerIteration: 5, Batch: 16, Lr: 1e-3, ValueStates: LoopValueStates.Prefixes),
        // Few samples for the equal-compute curves: the test checks their files, not their accuracy.
        Evaluation: new EvaluationConfig(Problems: 16, Methods: [SearchMethod.System1, search.Method], Budgets: new EvaluationBudgets(Samples: 4)));

    private async Task<(RunDirectory Run, RunSummary Summary)> RunAsync(ExperimentConfig config)
    {
        var run = RunDirectory.Create(_results, config.Name, TimeProvider.System);
        // One thread: the kernels run inline, so a busy machine cannot stall a loop of the pool.
        using var pool = new WorkerPool(1);
        var summary = await ExperimentRunner.RunAsync(config, new GptBackend(config, config.Task.Create(), pool), run, new RecordingObserver())
            .WaitAsync(TimeSpan.FromMinutes(2));
        return (run, summary);
    }

    [Fact]
    public async Task AlphaZeroImitationTwoIterationsAndEvaluationWriteACompleteRun()
    {
        var config = Tiny(SelfImprovementAlgorithm.AlphaZero, new SearchConfig(SearchMethod.Mcts, Mcts: new MctsConfig(Simulations: 4, Candidates: 2)), 2,
            ValueNetwork.Separate);
        var (run, summary) = await RunAsync(config);

        foreach (var file in new[] { run.ConfigPath, run.MetricsJsonlPath, run.MetricsCsvPath, run.OutcomesPath, run.SummaryPath, run.ValuePath })
            Assert.True(new FileInfo(file).Length > 0, $"{file} is missing or empty");
        // The separate value network of each policy checkpoint sits beside it.
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(k => new[] { $"iteration-{k}.safetensors", $"iteration-{k}.value.safetensors" }).Order(),
            Directory.GetFiles(run.CheckpointsPath).Select(Path.GetFileName).Order());
        Assert.NotEmpty(Directory.GetFiles(run.PlotsPath, "*.svg"));

        var rows = MetricsReader.Read(run.MetricsJsonlPath);
        Assert.Equal(30 + 5, rows.Count(r => r.Stage == Stage.Imitation));
        // Each iteration trains the policy, then the value network, as many steps each.
        Assert.Equal(Enumerable.Range(0, 30 + 5 + 2 * (5 + 5)).Select(s => (long?)s), rows.Where(r => r.Step is not null).Select(r => r.Step));
        Assert.All(rows.Where(r => r.Step is not null), r => Assert.True(double.IsFinite(r.PolicyLoss ?? r.ValueLoss ?? double.NaN)));
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        var results = MethodResult.From(rows, outcomes);
        Assert.Equal([(0, "system1"), (0, "mcts"), (1, "system1"), (1, "mcts"), (2, "system1"), (2, "mcts")], results.Select(r => (r.Iteration, r.Method)));
        Assert.All(results, r => Assert.True(r.N == 16 && r.Accuracy!.Value.Low <= r.Accuracy.Value.Estimate && r.Accuracy.Value.Estimate <= r.Accuracy.Value.High));
        var before = results.Single(r => r.Iteration == 0 && r.Method == "system1").Accuracy!.Value;
        var after = results.Single(r => r.Iteration == 2 && r.Method == "system1").Accuracy!.Value;
        Assert.True(after.Estimate >= before.Low, $"System 1 fell below imitation's interval: {after.Estimate} < {before.Low}");
        Assert.All(summary.Iterations, i => Assert.Equal((8, 8, 0), (i.Searched, i.DistinctProblems, i.Rejected)));
        Assert.True(summary.Iterations.All(i => i.ProposerCalls <= i.InferenceRequests));
        // The value network ranked the states MCTS met after each stage, and the summary says where its targets came from.
        Assert.Equal([0, 1, 2], ValueRankingWriter.Read(run).Select(r => r.Iteration));
        Assert.All(ValueRankingWriter.Read(run), r => Assert.Equal(("mcts", true), (r.Method, r.Value.PartialStates + r.Value.FinishedStates > 0)));
        var text = File.ReadAllText(run.SummaryPath);
        Assert.Contains("## Value model", text);
        Assert.Contains("`imitation.value_targets`): expert", text);

        // Equal compute: MCTS at 4, 2 and 1 simulations and a sampling run of 4 samples, on the same 16 problems each iteration.
        Assert.Equal(["mcts", "mcts @ simulations=1", "mcts @ simulations=2", "sampling", "system1"],
            outcomes.Select(o => o.Method).Distinct().Order(StringComparer.Ordinal));
        Assert.All(outcomes.GroupBy(o => (o.Iteration, o.Method)), g => Assert.Equal(16, g.Count()));
        Assert.All(outcomes.Where(o => o.Method == "sampling"), o => Assert.Equal(4, o.Samples!.Count));
        Assert.All(outcomes.Where(o => o.Method != "sampling"), o => Assert.Null(o.Samples));
        string report = File.ReadAllText(run.SummaryPath);
        Assert.Contains("### Equal compute (iteration 2)", report);
        Assert.Contains("| mcts @ simulations=1 |", report);
        Assert.True(File.Exists(run.ReportPath));

        // Where the time went: every phase timed, in the iterations it ran in, and the summary's table of them.
        var timing = rows.Where(r => r.Stage == Stage.Timing).ToList();
        Assert.All(timing, r => Assert.True(r.WallSeconds >= 0));
        Assert.Equal([(0, RunPhase.Problems), (0, RunPhase.Demonstrations), (0, RunPhase.Imitation), (0, RunPhase.ValueData), (0, RunPhase.ValueTraining),
            (0, RunPhase.Evaluation), (1, RunPhase.Search), (1, RunPhase.TrainingData), (1, RunPhase.Learner), (1, RunPhase.ValueTraining), (1, RunPhase.Evaluation),
            (2, RunPhase.Search), (2, RunPhase.TrainingData), (2, RunPhase.Learner), (2, RunPhase.ValueTraining), (2, RunPhase.Evaluation)],
            timing.Select(r => (r.Iteration, r.Method!)));
        Assert.Contains("## Where the time went", report);
        Assert.Contains("| self-play search | 2 |", report);
    }

    [Fact]
    public async Task StepChecksAreLearntWithTheValueAndRehearsedInTheLoop()
    {
        var tiny = Tiny(SelfImprovementAlgorithm.ExpertIteration, new SearchConfig(SearchMethod.BestOfN, Samples: 2), 1, ValueNetwork.Separate);
        var config = tiny with { Imitation = tiny.Imitation with { CheckerSteps = 4 } };
        var (run, summary) = await RunAsync(config);

        Assert.Single(summary.Iterations);
        foreach (var k in new[] { 0, 1 })
        {
            var metadata = Checkpoint.Load(GptBackend.ValuePath(Path.Combine(run.CheckpointsPath, $"iteration-{k}.safetensors"))).Metadata;
            Assert.Equal("true", metadata[ValueChecks.StepsKey]);
            Assert.False(metadata.ContainsKey(ValueChecks.StatesKey));
        }
        // Imitation: 30 SFT steps, 5 value steps, then 4 steps of step checks (a policy loss on the value network).
        var rows = MetricsReader.Read(run.MetricsJsonlPath).Where(r => r.Step is not null && r.Stage == Stage.Imitation).ToList();
        Assert.Equal(30 + 5 + 4, rows.Count);
        Assert.All(rows.TakeLast(4), r => Assert.True(r.PolicyLoss > 0 && r.ValueLoss is null));
    }

    [Fact]
    public async Task StateChecksAreLearntWithTheStepChecksAndMarkTheValueNetwork()
    {
        var tiny = Tiny(SelfImprovementAlgorithm.ExpertIteration, new SearchConfig(SearchMethod.BestOfN, Samples: 2), 1, ValueNetwork.Separate);
        var config = tiny with { Imitation = tiny.Imitation with { CheckerSteps = 4, CheckStates = true, CheckTask = new TaskConfig("game24"), CheckProblems = 5 } };
        var (run, summary) = await RunAsync(config);

        Assert.Single(summary.Iterations);
        foreach (var k in new[] { 0, 1 })
            Assert.Equal("true", Checkpoint.Load(GptBackend.ValuePath(Path.Combine(run.CheckpointsPath, $"iteration-{k}.safetensors"))).Metadata[ValueChecks.StatesKey]);
        // The 4 check steps now carry a value loss too (the problems the drills leave), beside the claims' policy loss.
        var rows = MetricsReader.Read(run.MetricsJsonlPath).Where(r => r.Step is not null && r.Stage == Stage.Imitation).ToList();
        Assert.All(rows.TakeLast(4), r => Assert.True(r.PolicyLoss > 0 && r.ValueLoss > 0));
        Assert.Contains("`imitation.check_states`", File.ReadAllText(run.SummaryPath));
        Assert.Contains("drilled on 5 training problems of game24 (`imitation.check_task`)", File.ReadAllText(run.SummaryPath));
    }

    [Fact]
    public async Task TheLoopSearchesTheSelfPlayTasksTrainingProblems()
    {
        var tiny = Tiny(SelfImprovementAlgorithm.ExpertIteration, new SearchConfig(SearchMethod.BestOfN, Samples: 2), 2, ValueNetwork.Separate);
        // Game of 24's four numbers and answer need a longer context than the tiny Countdown-3 policy's.
        var config = tiny with
        {
            Model = tiny.Model with { Context = 160 },
            SelfImprovement = tiny.SelfImprovement with { Task = new TaskConfig("game24"), DemonstrationShare = 0.5 },
        };
        var observer = new RecordingObserver();
        var run = RunDirectory.Create(_results, config.Name, TimeProvider.System);
        using var pool = new WorkerPool(1);
        var summary = await ExperimentRunner.RunAsync(config, new GptBackend(config, config.Task.Create(), pool), run, observer).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(2, summary.Iterations.Count);
        var searches = observer.Values.Where(v => v.Template.StartsWith("Iteration {Iteration}/{Iterations}:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, searches.Count);
        Assert.All(searches, v => Assert.Equal([8, "game24"], v.Values.TakeLast(2)));
        // Every episode was verified as the answer to a Game-of-24 puzzle (the replay buffer re-verifies with that task).
        Assert.All(summary.Iterations, i => Assert.Equal((8, 0), (i.Searched, i.Rejected)));
        Assert.Equal(2 * 8, File.ReadLines(run.EpisodesPath).Count());
    }

    [Fact]
    public async Task WithValueStatesNoneTheValueNetworkStaysAsImitationLeftIt()
    {
        var tiny = Tiny(SelfImprovementAlgorithm.ExpertIteration, new SearchConfig(SearchMethod.BestOfN, Samples: 2), 1, ValueNetwork.Separate);
        var config = tiny with { SelfImprovement = tiny.SelfImprovement with { ValueStates = LoopValueStates.None } };
        var (run, _) = await RunAsync(config);

        string Value(int k) => GptBackend.ValuePath(Path.Combine(run.CheckpointsPath, $"iteration-{k}.safetensors"));
        Assert.Equal(File.ReadAllBytes(Value(0)), File.ReadAllBytes(Value(1)));
        Assert.DoesNotContain(MetricsReader.Read(run.MetricsJsonlPath), r => r.Stage == Stage.SelfImprovement && r.ValueLoss is not null);
    }

    [Fact]
    public async Task GrpoIterationTrainsOnSampledGroups()
    {
        var config = Tiny(SelfImprovementAlgorithm.Grpo, new SearchConfig(SearchMethod.SelfConsistency, Samples: 4), 1, ValueNetwork.Shared);
        var (run, summary) = await RunAsync(config);

        var iteration = Assert.Single(summary.Iterations);
        Assert.Equal(5, iteration.TrainingSteps);
        var rows = MetricsReader.Read(run.MetricsJsonlPath).Where(r => r.Stage == Stage.SelfImprovement && r.Step is not null).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.True(double.IsFinite(r.PolicyLoss!.Value) && r.ValueLoss > 0));
    }
}
