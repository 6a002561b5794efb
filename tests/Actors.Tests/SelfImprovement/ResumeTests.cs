using System.Text.Json.Nodes;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>A run stopped in any stage and resumed ends with the metrics and outcomes of a run never stopped (one worker).</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _results = Path.Combine(Path.GetTempPath(), "reasoner-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_results)) Directory.Delete(_results, recursive: true);
    }

    // selfPlay: the loop searches Game of 24's training puzzles, drawn again for each iteration on resume.
    private static ExperimentConfig Config(bool selfPlay = false) => new(
        "resume", new TaskConfig("countdown", Numbers: 3), Seed: 9,
        Imitation: new ImitationConfig(Demonstrations: 8, Steps: 1),
        SelfImprovement: new SelfImprovementConfig(SelfImprovementAlgorithm.ExpertIteration, Iterations: 3, ProblemsPerIteration: 10,
            Search: new SearchConfig(SearchMethod.SelfConsistency, Samples: 3), Workers: 1, StepsPerIteration: 1, Gating: true, GatingProblems: 6,
            Task: selfPlay ? new TaskConfig("game24") : null),
        Evaluation: new EvaluationConfig(8, [SearchMethod.System1, SearchMethod.BestOfN], Budgets: new EvaluationBudgets(Samples: 3)));

    // A stopped run: the jobs whose inference fails give up after two tries and fail the run, as a crash would.
    private static readonly LoopOptions Options = new()
    {
        Node = new NodeOptions { MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(2) },
        Queue = new QueueOptions(MaxAttempts: 2),
    };

    private async Task<(RunDirectory Run, RunSummary Summary)> RunAsync(IExperimentBackend backend, RunDirectory? resume = null, bool selfPlay = false)
    {
        var run = resume ?? RunDirectory.Create(_results, "resume", TimeProvider.System);
        var summary = await ExperimentRunner.RunAsync(Config(selfPlay), backend, run, new RecordingObserver(), Options with { Resume = resume is not null })
            .WaitAsync(TimeSpan.FromMinutes(1));
        return (run, summary);
    }

    [Theory]
    [InlineData("imitation")] // stopped before any stage completed
    [InlineData("search")] // the policy breaks partway through the loop's searches (an evaluation or a self-play)
    [InlineData("training")] // the learner fails in iteration 2, after its search was journaled
    [InlineData("evaluation")] // iteration 1's checkpoint cannot be loaded: its evaluation fails
    [InlineData("search", true)]
    [InlineData("training", true)]
    public async Task ARunStoppedInAStageResumesToTheMetricsOfARunNeverStopped(string stage, bool selfPlay = false)
    {
        var task = Config().Task.Create();
        var (whole, wholeSummary) = await RunAsync(new ScriptedBackend(task, 0.35), selfPlay: selfPlay);

        var broken = new Interrupting(new ScriptedBackend(task, 0.35, failOnProposeCall: stage == "search" ? call => call > 120 : null), stage);
        await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(broken, selfPlay: selfPlay));
        var stopped = RunDirectory.Open(Directory.GetDirectories(_results).Single(d => d != whole.Path));
        var (resumed, summary) = await RunAsync(new ScriptedBackend(task, 0.35), stopped, selfPlay);

        Assert.Equal(MetricsLines.WithoutWallTime(whole.MetricsJsonlPath), MetricsLines.WithoutWallTime(resumed.MetricsJsonlPath));
        Assert.Equal(File.ReadAllText(whole.OutcomesPath), File.ReadAllText(resumed.OutcomesPath));
        // The csv was cut back with the jsonl: a header, then the same rows (timing rows included).
        Assert.Equal(File.ReadAllLines(resumed.MetricsJsonlPath).Length + 1, File.ReadAllLines(resumed.MetricsCsvPath).Length);
        Assert.Equal(wholeSummary.Accuracy, summary.Accuracy);
        Assert.Equal(wholeSummary.Iterations.Select(i => (i.Searched, i.Accepted, i.Promoted, i.TrainingSteps, Path.GetFileName(i.Checkpoint))),
            summary.Iterations.Select(i => (i.Searched, i.Accepted, i.Promoted, i.TrainingSteps, Path.GetFileName(i.Checkpoint))));
        Assert.Equal(File.ReadAllLines(whole.ProgressPath).Select(WithoutCounts), File.ReadAllLines(resumed.ProgressPath).Select(WithoutCounts));
    }

    [Fact]
    public async Task AJournalLineTornByAKillIsDroppedAndARunWithNothingDoneStartsOver()
    {
        var task = Config().Task.Create();
        var (whole, _) = await RunAsync(new ScriptedBackend(task, 0.35));
        // A copy of the finished run as a kill during iteration 3's evaluation would leave it: journal cut after
        // iteration 3's training, half a line after it, and rows of the evaluation already written.
        var copy = RunDirectory.Create(_results, "copy", TimeProvider.System);
        foreach (var file in Directory.GetFiles(whole.Path)) File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)), overwrite: true);
        foreach (var file in Directory.GetFiles(whole.CheckpointsPath)) File.Copy(file, Path.Combine(copy.CheckpointsPath, Path.GetFileName(file)));
        var journal = File.ReadAllLines(whole.ProgressPath);
        File.WriteAllText(copy.ProgressPath, string.Join("\n", journal[..^1]) + "\n" + journal[^1][..10]);

        var (resumed, _) = await RunAsync(new ScriptedBackend(task, 0.35), copy);
        Assert.Equal(MetricsLines.WithoutWallTime(whole.MetricsJsonlPath), MetricsLines.WithoutWallTime(resumed.MetricsJsonlPath));
        Assert.Equal(File.ReadAllText(whole.OutcomesPath), File.ReadAllText(resumed.OutcomesPath));

        // A journal line that is not the journal's: refused, naming the file and the line.
        File.WriteAllText(copy.ProgressPath, "{\"stage\": 7}\n");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => RunAsync(new ScriptedBackend(task, 0.35), copy));
        Assert.Contains("progress.jsonl, line 1", error.Message);
    }

    private static string WithoutCounts(string line)
    {
        var json = JsonNode.Parse(line)!.AsObject();
        if (json["search"] is JsonObject search) search.Remove("seconds");
        // A resumed run has one more timing row (it generated the problems again), so its metrics count from there on is one more.
        json.Remove("metrics_rows");
        return json.ToJsonString();
    }

    /// <summary>The scripted backend, failing in one stage: imitation, iteration 2's training, or loading iteration 1's checkpoint.</summary>
    private sealed class Interrupting(ScriptedBackend inner, string stage) : IExperimentBackend
    {
        public InferenceBackend LoadInference(string checkpoint) =>
            stage == "evaluation" && checkpoint.EndsWith("iteration-1.safetensors", StringComparison.Ordinal)
                ? throw new IOException("scripted: the disk failed")
                : inner.LoadInference(checkpoint);

        public TrainingReport Imitate(IReadOnlyList<Problem> problems, string checkpointOut, long firstStep, Action<MetricsRow> log) =>
            stage == "imitation" ? throw new InvalidOperationException("scripted: killed in imitation") : inner.Imitate(problems, checkpointOut, firstStep, log);

        public TrainingReport Improve(int iteration, IReadOnlyList<Episode> episodes, string checkpointIn, string checkpointOut, long firstStep, Action<MetricsRow> log)
        {
            if (stage == "training" && iteration == 2)
            {
                log(new MetricsRow(iteration, Stage.SelfImprovement, Step: firstStep, PolicyLoss: 9)); // a row the resumed run must not keep
                throw new InvalidOperationException("scripted: killed in training");
            }
            return inner.Improve(iteration, episodes, checkpointIn, checkpointOut, firstStep, log);
        }

        public void RestoreImitation(IReadOnlyList<Problem> problems, string checkpoint) => inner.RestoreImitation(problems, checkpoint);
    }
}
