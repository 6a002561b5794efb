using System.Text.Json.Nodes;
using Reasoner.Cli.Commands;
using Reasoner.Rewards;

namespace Reasoner.Cli.Tests.Commands;

public class TasksCommandTests
{
    private static List<JsonObject> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => (JsonObject)JsonNode.Parse(line)!).ToList();

    [Theory]
    [InlineData("countdown")]
    [InlineData("game24")]
    [InlineData("arithmetic")]
    [InlineData("sudoku")]
    public void Sampled_solutions_score_as_correct(string name)
    {
        var task = TaskCatalog.Create(name);
        var sampled = new StringWriter();
        TasksCommand.WriteProblems(task, task.Generate(Split.Train, 20, seed: 1), sampled);
        var samples = Lines(sampled.ToString());
        Assert.Equal(20, samples.Count);
        Assert.All(samples, s => Assert.Equal(name, (string)s["task"]!));

        var input = string.Join('\n', samples.Select(s => new JsonObject
        {
            ["problem"] = s["problem"]!.DeepClone(),
            ["completion"] = s["solution"]!.DeepClone(),
        }.ToJsonString()));
        var scored = new StringWriter();
        var (count, errors) = TasksCommand.Score(task, new StringReader(input), scored, new RewardConfig());
        Assert.Equal((20, 0), (count, errors));
        var results = Lines(scored.ToString());
        Assert.Equal(samples.Select(s => (string)s["id"]!), results.Select(r => (string)r["id"]!));
        Assert.All(results, r =>
        {
            Assert.True((bool)r["correct"]!);
            Assert.True((bool)r["format_ok"]!);
            Assert.Equal(1.0, (double)r["reward"]!);
            Assert.Null(r["reason"]);
        });
    }

    [Fact]
    public void Malformed_lines_get_an_error_naming_the_line_and_the_rest_are_scored()
    {
        var task = TaskCatalog.Create("game24");
        var input = string.Join('\n',
            "{\"problem\": {\"numbers\": [4, 4, 6, 8], \"target\": 24}, \"completion\": \"Answer: (6 - 4) * (4 + 8) = 24\"}",
            "not json",
            "{\"problem\": {\"numbers\": [4, 4, 6], \"target\": 24}, \"completion\": \"\"}",
            "{\"problem\": {\"numbers\": [4, 4, 6, 8], \"target\": 24}}",
            "{\"id\": \"mine\", \"problem\": {\"numbers\": [4, 4, 6, 8], \"target\": 24}, \"completion\": \"Answer: 4 * 6 = 24\"}");
        var output = new StringWriter();
        var (count, errors) = TasksCommand.Score(task, new StringReader(input), output, new RewardConfig(FormatBonus: 0.1));
        Assert.Equal((2, 3), (count, errors));
        var results = Lines(output.ToString());
        Assert.True((bool)results[0]["correct"]!);
        Assert.Equal([2, 3, 4], results.Skip(1).Take(3).Select(r => (int)r["line"]!));
        Assert.Contains("numbers", (string)results[2]["error"]!);
        Assert.Contains("completion", (string)results[3]["error"]!);
        Assert.Equal("mine", (string)results[4]["id"]!);
        Assert.False((bool)results[4]["correct"]!);
        Assert.Equal(0.1, (double)results[4]["reward"]!);
        Assert.Contains("exactly once", (string)results[4]["reason"]!);
    }
}

/// <summary>tasks sample, export and score end to end, as commands, on streams and files of their own.</summary>
public sealed class TasksCommandRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-tasks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Exported_solutions_scored_from_a_file_are_all_correct()
    {
        var exported = Path.Combine(_folder, "problems.jsonl");
        Assert.Equal(0, CommandRunner.Run(TasksCommand.Create(), "tasks", "export", "--task", "countdown", "--numbers", "3", "--n", "6", "--out", exported).Code);
        var completions = Path.Combine(_folder, "completions.jsonl");
        File.WriteAllLines(completions, File.ReadAllLines(exported).Select(line => JsonNode.Parse(line)!.AsObject())
            .Select(p => new JsonObject { ["problem"] = p["problem"]!.DeepClone(), ["completion"] = p["solution"]!.DeepClone() }.ToJsonString()));

        var scored = CommandRunner.Run(TasksCommand.Create(), "tasks", "score", "--task", "countdown", "--input", completions);

        Assert.Equal(0, scored.Code);
        var results = scored.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.True((bool)r["correct"]!));
        Assert.Contains("Scored 6 completions, 0 malformed input lines", scored.Error);
    }

    [Fact]
    public void A_missing_input_file_is_named()
    {
        var missing = Path.Combine(_folder, "nope.jsonl");
        var error = Assert.Throws<FileNotFoundException>(() => CommandRunner.Run(TasksCommand.Create(), "tasks", "score", "--task", "countdown", "--input", missing));
        Assert.Contains(missing, error.Message);
    }
}
