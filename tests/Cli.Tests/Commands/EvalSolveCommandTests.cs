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
            "--threads", "1", "--json", "--metrics-dir", folder);
        Assert.Equal(0, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var names = json.RootElement.GetProperty("methods").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        Assert.Equal(["system1", "beam[width=2]", "sample[samples=2] maj@2", "sample[samples=2] pass@2", "tot-dfs[proposals=2]"], names);
        Assert.Equal(names.Skip(1), json.RootElement.GetProperty("paired").EnumerateArray().Select(p => p.GetProperty("a").GetString()));
        Assert.All(json.RootElement.GetProperty("methods").EnumerateArray(), m => Assert.InRange(m.GetProperty("mean_generated_tokens").GetDouble(), 0, 200));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")).Length);
        Assert.Equal(10, File.ReadAllLines(Path.Combine(folder, "outcomes.jsonl")).Length);
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
