using Reasoner.Cli.Commands;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Cli.Tests.Commands;

/// <summary><c>reasoner run --cluster</c> and <c>reasoner worker</c> as separate processes on loopback, one of them killed.</summary>
public sealed class ClusterCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-cluster-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A GPT small enough that a whole run takes seconds.</summary>
    internal static string TinyConfig(string folder, int problems = 16, int simulations = 6, int imitationSteps = 20)
    {
        string path = Path.Combine(folder, "tiny.yaml");
        File.WriteAllText(path, $"""
            name: tiny
            seed: 3
            task: {"{"}name: countdown, numbers: 3, max_number: 9, max_target: 30{"}"}
            model: {"{"}layers: 1, d_model: 32, heads: 2, context: 96{"}"}
            imitation: {"{"}demonstrations: 64, steps: {imitationSteps}, batch: 16, lr: 3e-3, value_problems: 8, value_samples: 2, value_steps: 4{"}"}
            self_improvement:
              algorithm: expert-iteration
              iterations: 2
              problems_per_iteration: {problems}
              workers: 1
              steps_per_iteration: 4
              batch: 16
              search: {"{"}method: mcts, mcts: {"{"}simulations: {simulations}, candidates: 2{"}"}{"}"}
            evaluation: {"{"}problems: 12, methods: [system1, mcts], budgets: {"{"}samples: 4{"}"}{"}"}
            """);
        return path;
    }

    [Fact]
    public async Task AWorkerKilledMidIterationLosesNoProblemAndANodeJoiningMidRunFinishesIt()
    {
        // Searches slow enough (64 MCTS simulations) that the worker holds jobs when it is killed.
        string config = TinyConfig(_folder, problems: 32, simulations: 64), results = Path.Combine(_folder, "results");
        using var head = ReasonerProcess.Start("run", config, "--cluster", "--port", "0", "--out", results, "--threads", "1");
        string listening = await head.WaitForLineAsync(l => l.Contains("Head of the cluster listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        string address = listening.Split("--join ")[^1].Trim();

        using var doomed = ReasonerProcess.Start("worker", "--join", address, "--workers", "2", "--threads", "1");
        try
        {
            await head.WaitForLineAsync(l => l.Contains("search [iteration 1/2]", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException error)
        {
            throw new TimeoutException($"{error.Message}\nthe worker's standard error:\n{doomed.Error}");
        }
        doomed.Kill();
        using var rescuer = ReasonerProcess.Start("worker", "--join", address, "--workers", "1", "--threads", "1");

        var (code, output) = await head.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(code == 0, head.Error);
        var (rescuerCode, _) = await rescuer.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(rescuerCode == 0, rescuer.Error);

        string run = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("run").GetString()!;
        var outcomes = MetricsReader.ReadOutcomes(Path.Combine(run, "outcomes.jsonl"));
        // Iterations 0..2, each evaluating System 1, MCTS (and at a quarter and half its simulations) and sampling on 12 problems.
        Assert.Equal(3 * 5, outcomes.Select(o => (o.Iteration, o.Method)).Distinct().Count());
        Assert.All(outcomes.GroupBy(o => (o.Iteration, o.Method)), g => Assert.Equal(12, g.Select(o => o.ProblemId).Distinct().Count()));
        Assert.Equal(outcomes.Count, outcomes.Select(o => (o.Iteration, o.Method, o.ProblemId)).Distinct().Count());
        var searched = MetricsReader.Read(Path.Combine(run, "metrics.jsonl")).Count(r => r.Stage == Experiments.Metrics.Stage.SelfImprovement && r.Step is null);
        Assert.Equal(2 * 32, searched);
        string lost = head.Error.Split('\n').Single(l => l.Contains("is lost", StringComparison.Ordinal));
        Assert.Contains($"/{doomed.Id}@127.0.0.1:", lost);
        Assert.Matches(@"its [12] job\(s\) in flight go back to the queue: \S", lost); // killed holding its two workers' jobs
    }

    [Fact]
    public void ClusterOptionsWithoutClusterAndABadJoinAddressAreRefusedByName()
    {
        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(RunCommand.Create(), "run", TinyConfig(_folder), "--port", "4999"));
        Assert.Contains("--cluster", error.Message);
        var join = Assert.Throws<FormatException>(() => CommandRunner.Run(WorkerCommand.Create(), "worker", "--join", "nohost"));
        Assert.Contains("--join 'nohost'", join.Message);
    }
}
