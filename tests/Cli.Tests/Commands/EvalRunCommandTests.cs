using System.Text.Json;
using Reasoner.Cli.Commands;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Rewards;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>A tiny run made by `reasoner run`, once for every test of <see cref="EvalRunCommandTests"/>, which only read it.</summary>
public sealed class TinyRun : IDisposable
{
    const string Config = """
        name: tiny
        seed: 1
        task: {name: countdown, numbers: 3, max_number: 9, max_target: 30}
        model: {layers: 1, d_model: 32, heads: 2, context: 96}
        imitation: {demonstrations: 64, steps: 20, batch: 16, lr: 0.003, value_problems: 8, value_samples: 2, value_steps: 5}
        self_improvement:
          iterations: 1
          problems_per_iteration: 8
          workers: 2
          steps_per_iteration: 5
          batch: 16
          lr: 0.001
          search: {method: mcts, max_step_tokens: 24, mcts: {simulations: 3, candidates: 2}}
        evaluation: {problems: 10, methods: [system1, mcts], seeds: [0, 3], budgets: {samples: 3, search_scales: [0.5]}}
        """;

    public TinyRun()
    {
        var config = Path.Combine(Folder, "tiny.yaml");
        File.WriteAllText(config, Config);
        var invocation = CommandRunner.Run(RunCommand.Create(), "run", config, "--out", Path.Combine(Folder, "results"), "--threads", "1");
        Assert.True(invocation.Code == 0, invocation.Error);
        Run = JsonDocument.Parse(invocation.Output).RootElement.GetProperty("run").GetString()!;
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("reasoner-eval-run-").FullName;

    /// <summary>The run directory.</summary>
    public string Run { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>eval --run: a run's checkpoints on the run's own held-out problems, methods and seeds.</summary>
public sealed class EvalRunCommandTests(TinyRun tiny) : IClassFixture<TinyRun>, IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("reasoner-eval-run-out-").FullName;
    readonly string run = tiny.Run;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static List<(string Method, string Problem, int? Seed)> Outcomes(string directory, int iteration) =>
        MetricsReader.ReadOutcomes(Path.Combine(directory, "outcomes.jsonl")).Where(o => o.Iteration == iteration).Select(o => (o.Method, o.ProblemId, o.Seed)).ToList();

    [Fact]
    public void EvaluatesTheLastCheckpointOnTheProblemsMethodsAndSeedsTheRunEvaluated()
    {
        var metrics = Path.Combine(folder, "eval");
        var invocation = CommandRunner.Run(EvalCommand.Create(), "eval", "--run", run, "--threads", "1", "--json", "--metrics-dir", metrics);
        Assert.Equal(0, invocation.Code);
        var lines = invocation.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([0, 3], lines.Select(l => l.GetProperty("seed").GetInt32())); // one line per evaluation seed of the run
        Assert.All(lines, l => Assert.Equal(10, l.GetProperty("n").GetInt32()));
        Assert.All(lines, l => Assert.Equal(["system1", "mcts"], l.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString())));
        // The same (search, problem, seed) rows as the run's own evaluation of iteration 1, the equal-compute searches
        // (the sampling run, MCTS at half its simulations) included.
        Assert.Equal(Outcomes(run, 1).Order(), Outcomes(metrics, 1).Order());
        Assert.Contains(Outcomes(metrics, 1), o => o.Method == "mcts @ simulations=2");
        Assert.Contains("iteration-1.safetensors", invocation.Error);
        // The run's own separate value network, beside the checkpoint, is the one its searches read (not the policy's head).
        Assert.Contains("iteration-1.value.safetensors", invocation.Error);
        static List<(string, string, int?, bool)> Verdicts(string directory) => MetricsReader.ReadOutcomes(Path.Combine(directory, "outcomes.jsonl"))
            .Where(o => o.Iteration == 1 && o.Method == "mcts").Select(o => (o.Method, o.ProblemId, o.Seed, o.Correct)).Order().ToList();
        Assert.Equal(Verdicts(run), Verdicts(metrics));
    }

    [Fact]
    public void AnIterationOptionsOwnSeedAndFewerProblemsNarrowIt()
    {
        var metrics = Path.Combine(folder, "eval0");
        var invocation = CommandRunner.Run(EvalCommand.Create(), "eval", "--run", run, "--iteration", "0", "--seed", "3", "--n", "4", "--search", "greedy",
            "--threads", "1", "--json", "--metrics-dir", metrics);
        Assert.Equal(0, invocation.Code);
        var heldOut = Outcomes(run, 0).Where(o => o.Method == "system1" && o.Seed == 0).Select(o => o.Problem).Take(4);
        Assert.Equal(heldOut, Outcomes(metrics, 0).Where(o => o.Method == "system1").Select(o => o.Problem));
        Assert.All(Outcomes(metrics, 0), o => Assert.Equal(3, o.Seed));
    }

    [Fact]
    public void TheRunsCheckpointsRecordItsTask()
    {
        var (_, task) = TaskCheckpoint.Load(Path.Combine(run, "checkpoints", "iteration-1.safetensors"));
        Assert.Equal(new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30)).Resolved(), task);
    }

    [Theory]
    [InlineData("--iteration", "7", "has no checkpoint of iteration 7 (it has 0, 1)")]
    [InlineData("--task", "game24", "drop --task")]
    [InlineData("--numbers", "4", "drop --numbers")]
    [InlineData("--n", "11", "--n 11 is more than the 10 held-out problems")]
    public void WhatARunCannotTakeIsNamed(string option, string value, string expected)
    {
        var error = Record.Exception(() => CommandRunner.Run(EvalCommand.Create(), "eval", "--run", run, option, value, "--threads", "1"));
        Assert.True(error is UserInputException or FileNotFoundException, error?.ToString() ?? "no error");
        Assert.Contains(expected, error!.Message);
    }

    [Fact]
    public void EvalNeedsACheckpointOrARun()
    {
        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(EvalCommand.Create(), "eval", "--task", "countdown"));
        Assert.Equal("give a policy with --checkpoint, or a run directory with --run", error.Message);
    }

    [Fact]
    public void IterationNeedsARun()
    {
        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(EvalCommand.Create(), "eval", "--iteration", "1", "--task", "countdown"));
        Assert.Contains("--run", error.Message);
    }
}
