using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;

namespace Reasoner.Actors.Tests.SelfImprovement;

public sealed class SupervisorTests : IDisposable
{
    private readonly string _results = Path.Combine(Path.GetTempPath(), "reasoner-loop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_results)) Directory.Delete(_results, recursive: true);
    }

    private static ExperimentConfig Config(int workers, int seed = 0) => new(
        "scripted", new TaskConfig("countdown", Numbers: 3), seed,
        Imitation: new ImitationConfig(Demonstrations: 8, Steps: 1),
        SelfImprovement: new SelfImprovementConfig(SelfImprovementAlgorithm.ExpertIteration, Iterations: 2, ProblemsPerIteration: 16,
            Search: new SearchConfig(SearchMethod.SelfConsistency, Samples: 4), Workers: workers, StepsPerIteration: 1),
        // A sampling run of 4 for the equal-compute curves (best-of-n has no size to scale).
        Evaluation: new EvaluationConfig(20, [SearchMethod.System1, SearchMethod.BestOfN], Budgets: new EvaluationBudgets(Samples: 4)));

    // Workers whose search threw start again at once: the tests fail many searches on purpose.
    private static readonly LoopOptions FastRestarts = new()
    {
        Node = new NodeOptions { MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) },
        Queue = new QueueOptions(MaxAttempts: 100),
    };

    private async Task<(RunDirectory Run, RunSummary Summary, RecordingObserver Observer)> RunAsync(ExperimentConfig config, ScriptedBackend backend)
    {
        var run = RunDirectory.Create(_results, config.Name, TimeProvider.System);
        var observer = new RecordingObserver();
        var summary = await ExperimentRunner.RunAsync(config, backend, run, observer, FastRestarts).WaitAsync(TimeSpan.FromMinutes(2));
        return (run, summary, observer);
    }

    [Fact]
    public async Task ATinyExperimentWritesEveryFileAndSelfImprovementHelpsSystem1()
    {
        var config = Config(workers: 2);
        var (run, summary, observer) = await RunAsync(config, new ScriptedBackend(config.Task.Create(), initialSkill: 0.35));

        foreach (var file in new[] { run.ConfigPath, run.MetricsJsonlPath, run.MetricsCsvPath, run.OutcomesPath, run.SummaryPath })
            Assert.True(new FileInfo(file).Length > 0, $"{file} is missing or empty");
        Assert.Equal(3, Directory.GetFiles(run.CheckpointsPath).Length);
        Assert.NotEmpty(Directory.GetFiles(run.PlotsPath, "*.svg"));
        Assert.Equal(config, ConfigBinder.LoadFile<ExperimentConfig>(run.ConfigPath) with { }, new ConfigComparer());

        var rows = MetricsReader.Read(run.MetricsJsonlPath);
        var evaluations = rows.Where(r => r.Stage == Stage.Evaluation).ToList();
        Assert.Equal(3 * 2, evaluations.Count); // iterations 0..2, two methods each
        Assert.All(evaluations, r => Assert.True(r.N == 20 && r.CiLow <= r.Accuracy && r.Accuracy <= r.CiHigh));
        Assert.Equal(2 * 16, rows.Count(r => r.Stage == Stage.SelfImprovement && r.Step is null));
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        Assert.Equal(3 * 2 * 20, outcomes.Count(o => o.Method != EvaluationPlan.SamplingLabel));
        Assert.Equal(3 * 20, outcomes.Count(o => o.Method == EvaluationPlan.SamplingLabel && o.Samples!.Count == 4));
        Assert.All(outcomes, o => Assert.Equal(0, o.Seed));
        Assert.Equal(rows.Count + 1, File.ReadAllLines(run.MetricsCsvPath).Length);

        double before = summary.Accuracy[0]["system1"], after = summary.Accuracy[^1]["system1"];
        var first = evaluations.Single(r => r.Iteration == 0 && r.Method == "system1");
        Assert.True(after >= first.CiLow, $"System 1 fell from {before} to {after}");
        Assert.True(after > before, $"System 1 did not improve: {before} -> {after}");
        Assert.All(summary.Iterations, i => Assert.Equal((16, 16, 0), (i.Searched, i.DistinctProblems, i.Rejected)));
        Assert.Contains("## Iteration 2", File.ReadAllText(run.SummaryPath));
        Assert.Equal(2 * 16, observer.Progressed.Count(p => p.Phase == "search"));
    }

    [Fact]
    public async Task WorkersThatThrowMidSearchAreRestartedAndEveryProblemIsSearchedExactlyOnce()
    {
        var config = Config(workers: 2);
        // Every 7th policy call fails: searches die halfway through, on both workers, in every phase.
        var backend = new ScriptedBackend(config.Task.Create(), initialSkill: 0.35, failOnProposeCall: call => call % 7 == 0);
        var (run, summary, observer) = await RunAsync(config, backend);

        Assert.All(summary.Iterations, i =>
        {
            Assert.True(i.FailedAttempts > 0);
            Assert.Equal((16, 16), (i.Searched, i.DistinctProblems));
        });
        Assert.Equal(2 * 16, observer.Progressed.Count(p => p.Phase == "search"));
        var searchedRows = MetricsReader.Read(run.MetricsJsonlPath).Where(r => r.Stage == Stage.SelfImprovement && r.Step is null);
        Assert.Equal(2 * 16, searchedRows.Count());
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        Assert.Equal(outcomes.Count, outcomes.Select(o => (o.Iteration, o.Method, o.ProblemId)).Distinct().Count());
    }

    [Fact]
    public async Task AnEvaluationTaskTakesTheHeldOutProblemsFromItsOwnTestSplit()
    {
        var config = Config(workers: 2) with
        {
            Task = new TaskConfig("countdown", Numbers: 4),
            Evaluation = new EvaluationConfig(12, [SearchMethod.System1], Task: new TaskConfig("game24"), Budgets: new EvaluationBudgets(Samples: 0)),
        };
        var (run, summary, _) = await RunAsync(config, new ScriptedBackend(config.Task.Create(), initialSkill: 0.35));

        var tot = new TaskConfig("game24").Create().Generate(Rewards.Split.Test, 100, seed: 0).Select(p => p.Id).ToHashSet();
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        Assert.Equal(3 * 12, outcomes.Count);
        Assert.All(outcomes, o => Assert.Contains(o.ProblemId, tot)); // the Tree-of-Thoughts test set, not Countdown's split
        Assert.All(summary.Iterations, i => Assert.Equal(16, i.Searched));

        // A held-out task whose characters the policy cannot read is a config error naming the key.
        var error = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: arithmetic}\nevaluation: {task: {name: game24}}\n", "x.yaml"));
        Assert.Contains("evaluation.task", error.Message);
        Assert.Contains("x.yaml", error.Message);
    }

    [Fact]
    public async Task TheSameConfigAndSeedGiveTheSameMetricsWithOneWorker()
    {
        var config = Config(workers: 1, seed: 5);
        var (first, _, _) = await RunAsync(config, new ScriptedBackend(config.Task.Create(), 0.35));
        var (second, _, _) = await RunAsync(config, new ScriptedBackend(config.Task.Create(), 0.35));

        Assert.Equal(MetricsLines.WithoutWallTime(first.MetricsJsonlPath), MetricsLines.WithoutWallTime(second.MetricsJsonlPath));
        Assert.Equal(File.ReadAllText(first.OutcomesPath), File.ReadAllText(second.OutcomesPath));
        var (other, _, _) = await RunAsync(Config(workers: 1, seed: 6), new ScriptedBackend(config.Task.Create(), 0.35));
        Assert.NotEqual(MetricsLines.WithoutWallTime(first.MetricsJsonlPath), MetricsLines.WithoutWallTime(other.MetricsJsonlPath));
    }

    /// <summary>Configs compare by their YAML: records holding lists and maps do not compare by value.</summary>
    private sealed class ConfigComparer : IEqualityComparer<ExperimentConfig>
    {
        public bool Equals(ExperimentConfig? x, ExperimentConfig? y) => ConfigWriter.ToYaml(x!) == ConfigWriter.ToYaml(y!);

        public int GetHashCode(ExperimentConfig obj) => 0;
    }
}
