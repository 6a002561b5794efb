using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Reasoner.Cli.Commands;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>eval and solve end to end on a random-init checkpoint: output shapes, never accuracy.</summary>
public sealed class EvalSolveCommandTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("reasoner-cli-").FullName;
    readonly string checkpoint;

    public EvalSolveCommandTests()
    {
        var tokenizer = TaskTokenizer.For(TaskCatalog.Create("countdown"));
        checkpoint = Path.Combine(folder, "random.safetensors");
        Checkpoint.Save(checkpoint, Gpt.CreateRandom(new GptConfig(1, 2, 16, tokenizer.VocabSize, 128), seed: 2), tokenizer);
    }

    /// <summary>A random checkpoint that records the task it was "trained" on, as train sft and run write them.</summary>
    string CheckpointOf(TaskSpec task, string name)
    {
        var tokenizer = TaskTokenizer.For(task.Create());
        var path = Path.Combine(folder, name);
        TaskCheckpoint.Save(path, Gpt.CreateRandom(new GptConfig(1, 2, 16, tokenizer.VocabSize, 128), seed: 2), tokenizer, task);
        return path;
    }

    /// <summary>The problem ids eval evaluated, from the outcomes it writes with --metrics-dir.</summary>
    static List<string> EvaluatedIds(string metricsDir) =>
        File.ReadAllLines(Path.Combine(metricsDir, "outcomes.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(o => o.GetProperty("method").GetString() == "system1").Select(o => o.GetProperty("problem_id").GetString()!).ToList();

    static readonly string[] Quick = ["--n", "3", "--max-step-tokens", "8", "--budget-tokens", "40", "--threads", "1", "--json"];

    [Fact]
    public void EvalDefaultsToTheTaskTheCheckpointRecordsWithItsDifficulty()
    {
        var countdown3 = new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30));
        var path = CheckpointOf(countdown3, "countdown3.safetensors");
        var metrics = Path.Combine(folder, "metrics");
        var invocation = CommandRunner.Run(EvalCommand.Create(), ["eval", "--checkpoint", path, "--metrics-dir", metrics, .. Quick]);
        Assert.Equal(0, invocation.Code);
        Assert.Equal("countdown", JsonDocument.Parse(invocation.Output).RootElement.GetProperty("task").GetString());
        Assert.Equal(countdown3.Create().Generate(Split.Test, 3, 0).Select(p => p.Id), EvaluatedIds(metrics));
        Assert.DoesNotContain("WRN", invocation.Error);
    }

    [Fact]
    public void AnExplicitOptionThatDiffersFromTheCheckpointsIsUsedAndWarnedAbout()
    {
        var path = CheckpointOf(new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30)), "countdown3.safetensors");
        var metrics = Path.Combine(folder, "metrics");
        var invocation = CommandRunner.Run(EvalCommand.Create(), ["eval", "--checkpoint", path, "--numbers", "4", "--max-number", "9", "--metrics-dir", metrics, .. Quick]);
        Assert.Equal(0, invocation.Code);
        var warning = Assert.Single(invocation.Error.Split('\n'), line => line.Contains("WRN"));
        Assert.Contains($"{path}: --numbers 4 differs from the checkpoint's --numbers 3", warning);
        var asGiven = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 4, MaxNumber: 9, MaxTarget: 30));
        Assert.Equal(asGiven.Generate(Split.Test, 3, 0).Select(p => p.Id), EvaluatedIds(metrics));
    }

    [Fact]
    public void ACheckpointThatRecordsNoTaskNeedsTaskAndSaysSo()
    {
        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(EvalCommand.Create(), ["eval", "--checkpoint", checkpoint, .. Quick]));
        Assert.Contains(checkpoint, error.Message);
        Assert.Contains("give --task", error.Message);
        Assert.Equal(0, CommandRunner.Run(EvalCommand.Create(), ["eval", "--checkpoint", checkpoint, "--task", "countdown", .. Quick]).Code);
    }

    [Fact]
    public void ATaskWhoseCharactersThePolicyCannotReadIsRefusedByName()
    {
        var path = CheckpointOf(new TaskSpec("arithmetic", new TaskOptions()), "arithmetic.safetensors");
        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(EvalCommand.Create(), ["eval", "--checkpoint", path, "--task", "sudoku", .. Quick]));
        Assert.Contains("task sudoku writes characters", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void SolveDefaultsToTheCheckpointsTask()
    {
        var path = CheckpointOf(new TaskSpec("game24", new TaskOptions()), "game24.safetensors");
        var invocation = CommandRunner.Run(SolveCommand.Create(), "solve", "--checkpoint", path, "--problem", "4 4 6 8", "--option", "simulations=2",
            "--option", "candidates=2", "--budget-tokens", "60", "--max-step-tokens", "8", "--threads", "1");
        Assert.Equal(0, invocation.Code);
        Assert.Contains("4 4 6 8 -> 24", invocation.Output);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static (int Code, string Output) Run(Command command, params string[] args)
    {
        var invocation = CommandRunner.Run(command, args);
        return (invocation.Code, invocation.Output);
    }

    [Fact]
    public void EvalJsonIsOneLineWithEveryMethodPairedAgainstSystemOne()
    {
        var (code, output) = Run(EvalCommand.Create(), "eval", "--checkpoint", checkpoint, "--task", "countdown", "--n", "2", "--search", "beam",
            "--option", "width=2", "--compare", "sample[samples=2],tot-dfs[proposals=2]", "--budget-tokens", "200", "--max-step-tokens", "16",
            "--threads", "1", "--json", "--metrics-dir", folder, "--budget-samples", "3");
        Assert.Equal(0, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var names = json.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Equal(["system1", "beam[width=2]", "sample[samples=2] maj@2", "sample[samples=2] pass@2", "tot-dfs[proposals=2]"], names);
        Assert.Equal(names.Skip(1), json.RootElement.GetProperty("paired").EnumerateArray().Select(p => p.GetProperty("a").GetString()));
        Assert.All(json.RootElement.GetProperty("methods").EnumerateArray(), m => Assert.InRange(m.GetProperty("mean_generated_tokens").GetDouble(), 0, 200));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Length);
        // The five rows' outcomes, then the equal-compute searches': beam and tot-dfs at size 1 (both scales round to it)
        // and the sampling run, on the same 2 problems.
        var outcomes = Experiments.Metrics.MetricsReader.ReadOutcomes(Path.Combine(folder, "outcomes.jsonl"));
        Assert.Equal(names.Concat(["beam[width=2] @ width=1", "tot-dfs[proposals=2] @ proposals=1", "sampling"]), outcomes.Select(o => o.Method).Distinct());
        Assert.Equal(2 * 8, outcomes.Count);
        var compute = json.RootElement.GetProperty("equal_compute");
        Assert.Equal(3, compute.GetProperty("samples").GetInt32());
        var points = compute.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("maj@2", points);
        Assert.Contains("best-of-3", points);
        Assert.Contains("pass@1", points);
        // Every method but System 1, pass@k (an oracle) and the sampling curves gets a verdict, at every size it ran.
        Assert.Equal(names.Skip(1).Where(n => !n!.Contains("pass@")).Concat(["beam[width=2] @ width=1", "tot-dfs[proposals=2] @ proposals=1"]),
            compute.GetProperty("verdicts").EnumerateArray().Select(v => v.GetProperty("method").GetString()));
    }

    [Fact]
    public void EvalDrawsItsProblemsWithTheTasksDifficultyAndReportsTheValuesRankingOfTreeSearch()
    {
        var (code, output) = Run(EvalCommand.Create(), "eval", "--checkpoint", checkpoint, "--task", "countdown", "--numbers", "3", "--max-number", "9",
            "--max-target", "30", "--n", "3", "--search", "tot-bfs", "--option", "proposals=3", "--option", "breadth=2", "--budget-tokens", "300",
            "--max-step-tokens", "16", "--threads", "1", "--json", "--metrics-dir", folder);
        Assert.Equal(0, code);
        Assert.All(File.ReadAllLines(Path.Combine(folder, "outcomes.jsonl")), line =>
            Assert.Matches("\"problem_id\":\"countdown(-[1-9]){3}-([1-9]|[12][0-9]|30)\"", line));
        using var json = JsonDocument.Parse(output);
        var tot = json.RootElement.GetProperty("methods")[1];
        var value = tot.GetProperty("value");
        // A random policy's states are all unsolvable past the prompt: the AUC is undefined (null), the counts are there.
        Assert.True(value.GetProperty("partial_states").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Array, value.GetProperty("by_depth").ValueKind);
        Assert.False(json.RootElement.GetProperty("methods")[0].TryGetProperty("value", out _)); // System 1 values nothing
        var error = Assert.Throws<UserInputException>(() => Run(EvalCommand.Create(), "eval", "--checkpoint", checkpoint, "--task", "game24",
            "--numbers", "3", "--n", "1", "--threads", "1"));
        Assert.Contains("numbers", error.Message);
    }

    [Fact]
    public void SolveShowsTheTreeTheChosenPathTheVerdictAndWritesTheTree()
    {
        var treePath = Path.Combine(folder, "tree.json");
        var (code, output) = Run(SolveCommand.Create(), "solve", "--checkpoint", checkpoint, "--task", "game24", "--problem", "4 4 6 8",
            "--option", "simulations=4", "--option", "candidates=3", "--budget-tokens", "400", "--max-step-tokens", "16", "--threads", "1", "--tree", treePath);
        Assert.Equal(0, code);
        Assert.Contains("4 4 6 8 -> 24", output);
        Assert.Contains("(prompt)", output);
        Assert.Contains("Chosen path", output);
        Assert.Contains("Compute:", output);
        Assert.True(output.Contains("Correct", StringComparison.Ordinal) || output.Contains("Not correct", StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b[", output);
        using var tree = JsonDocument.Parse(File.ReadAllText(treePath));
        Assert.Equal("mcts", tree.RootElement.GetProperty("method").GetString());
        Assert.True(tree.RootElement.GetProperty("nodes").GetArrayLength() >= 1);
    }

    [Fact]
    public async Task SolvePipedIntoAnotherProgramWritesNoColourEscapes()
    {
        // The real process, its standard output and error pipes as `reasoner solve ... | tail` sees them.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(SolveCommand).Assembly.Location, "solve", "--checkpoint", checkpoint, "--task", "game24", "--problem", "4 4 6 8",
            "--option", "simulations=2", "--option", "candidates=2", "--budget-tokens", "100", "--max-step-tokens", "8", "--threads", "1" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var errorRead = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await errorRead;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("Chosen path", output);
        Assert.DoesNotContain("\u001b", output);
        Assert.DoesNotContain("\u001b", error);
    }

    [Theory]
    [InlineData("--problem", "4 x 6 8")]
    [InlineData("--problem-json", "{\"numbers\": [4, 4]}")]
    public void SolveRejectsABadProblem(string option, string value)
    {
        var error = Record.Exception(() => Run(SolveCommand.Create(), "solve", "--checkpoint", checkpoint, "--task", "game24", option, value, "--threads", "1"));
        Assert.True(error is UserInputException or FormatException, error?.ToString() ?? "no error");
    }
}
