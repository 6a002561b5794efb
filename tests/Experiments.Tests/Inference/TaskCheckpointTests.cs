using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Tests.Inference;

public sealed class TaskCheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Path(string name) => System.IO.Path.Combine(_folder.Path, name);

    private static (Gpt Model, Tokenizer Tokenizer) Tiny(ITask task)
    {
        var tokenizer = TaskTokenizer.For(task);
        return (Gpt.CreateRandom(new GptConfig(1, 1, 8, tokenizer.VocabSize, 16), seed: 1), tokenizer);
    }

    public static TheoryData<string, TaskOptions> Specs() => new()
    {
        { "countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30) },
        { "game24", new TaskOptions() },
        { "arithmetic", new TaskOptions(Operation: "multiply", Digits: 4, RightDigits: 2) },
        { "sudoku", new TaskOptions(Size: 9, Blanks: 30) },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_checkpoint_records_its_task_with_every_option_resolved(string name, TaskOptions options)
    {
        var spec = new TaskSpec(name, options);
        var (model, tokenizer) = Tiny(spec.Create());
        TaskCheckpoint.Save(Path("c.safetensors"), model, tokenizer, spec);

        var (loaded, task) = TaskCheckpoint.Load(Path("c.safetensors"));
        Assert.Equal(spec.Resolved(), task);
        Assert.Equal(model.Parameters, loaded.Model.Parameters);
        Assert.Equal(tokenizer.Alphabet, loaded.Tokenizer!.Alphabet);
    }

    [Fact]
    public void The_options_are_stored_by_their_command_line_names_defaults_included()
    {
        var metadata = TaskCheckpoint.Metadata(new TaskSpec("countdown", new TaskOptions(Numbers: 3)));
        Assert.Equal("countdown", metadata["task"]);
        Assert.Equal("""{"numbers":3,"min-number":1,"max-number":13,"min-target":1,"max-target":100}""", metadata["task_options"]);
    }

    [Fact]
    public void A_checkpoint_written_before_tasks_were_recorded_has_none()
    {
        var (model, tokenizer) = Tiny(TaskCatalog.Create("countdown"));
        Checkpoint.Save(Path("old.safetensors"), model, tokenizer);
        Assert.Null(TaskCheckpoint.Load(Path("old.safetensors")).Task);
    }

    [Theory]
    [InlineData("countdown", null, "'task' but not 'task_options'")]
    [InlineData("countdown", "{\"numbers\": 3", "'task_options' is not the task's options")]
    [InlineData("countdown", "{\"nummbers\": 3}", "nummbers")]
    [InlineData("countdown", "{\"numbers\": \"three\"}", "'task_options' is not the task's options")]
    [InlineData("countdown", "{\"numbers\": 9}", "numbers = 9 is out of range")]
    [InlineData("chess", "{}", "unknown task \"chess\"")]
    [InlineData("game24", "{\"digits\": 3}", "has no option \"digits\"")]
    public void A_broken_task_record_names_the_file_and_what_is_wrong(string name, string? options, string expected)
    {
        var metadata = new Dictionary<string, string> { ["task"] = name };
        if (options is not null) metadata["task_options"] = options;
        var error = Assert.Throws<InvalidDataException>(() => TaskCheckpoint.ReadTask("x.safetensors", metadata));
        Assert.StartsWith("x.safetensors: metadata", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void The_checkpoint_keeps_its_own_metadata_keys_to_itself()
    {
        var (model, tokenizer) = Tiny(TaskCatalog.Create("countdown"));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(Path("c.safetensors"), model, tokenizer, new Dictionary<string, string> { ["vocab"] = "3" }));
    }
}
