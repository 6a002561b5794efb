using System.CommandLine;
using Reasoner.Cli.Commands;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Cli.Tests.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static int Run(params string[] args) => CommandRunner.Run(TrainCommand.Create(), args).Code;

    private static readonly string[] Tiny =
        ["--task", "countdown", "--numbers", "3", "--problems", "20", "--test-problems", "10", "--eval", "4", "--steps", "3", "--batch", "4",
         "--layers", "1", "--d-model", "16", "--heads", "2", "--threads", "1"];

    [Fact]
    public void Sft_then_value_write_checkpoints_with_the_alphabet_and_loss_curves_beside_them()
    {
        string policy = Path.Combine(_folder, "policy.safetensors"), value = Path.Combine(_folder, "value.safetensors");
        Assert.Equal(0, Run(["train", "sft", .. Tiny, "--out", policy]));
        var loaded = Checkpoint.Load(policy);
        Assert.NotNull(loaded.Tokenizer);
        Assert.Equal(1, loaded.Model.Config.Layers);
        Assert.Equal(4, File.ReadAllLines(policy + ".loss.csv").Length); // header and 3 steps
        Assert.True(File.Exists(policy + ".loss.svg"));

        Assert.Equal(0, Run(["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--separate", "--out", value]));
        Assert.Equal(16, Checkpoint.Load(value).Model.Config.ModelDim);
        Assert.Contains(",", File.ReadAllLines(value + ".loss.csv")[1]);

        // --init policy (the default) copies the policy, so it cannot change size; --init random can.
        string[] valueArgs = ["train", "value", .. Tiny.Where(a => a != "--d-model" && a != "16"), "--policy", policy, "--samples", "2", "--separate", "--out", value];
        var error = Assert.Throws<UserInputException>(() => Run([.. valueArgs, "--d-model", "8"]));
        Assert.Contains("--init policy", error.Message);
        Assert.Equal(0, Run([.. valueArgs, "--d-model", "8", "--init", "random"]));
        Assert.Equal(8, Checkpoint.Load(value).Model.Config.ModelDim);
    }

    [Fact]
    public void The_checkpoints_record_their_task_and_train_value_defaults_to_the_policys()
    {
        string policy = Path.Combine(_folder, "policy.safetensors"), value = Path.Combine(_folder, "value.safetensors");
        Assert.Equal(0, Run(["train", "sft", .. Tiny, "--max-number", "9", "--out", policy]));
        var countdown3 = new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9)).Resolved();
        Assert.Equal(countdown3, TaskCheckpoint.Load(policy).Task);

        string[] withoutTask = [.. Tiny.Skip(4)];
        Assert.Equal(["--problems", "20"], withoutTask.Take(2));
        var invocation = CommandRunner.Run(TrainCommand.Create(), ["train", "value", .. withoutTask, "--policy", policy, "--samples", "2", "--out", value]);
        Assert.Equal(0, invocation.Code);
        Assert.DoesNotContain("WRN", invocation.Error);
        Assert.Equal(countdown3, TaskCheckpoint.Load(value).Task);

        // A policy that records no task (written before checkpoints did) needs --task.
        var (old, _) = TaskCheckpoint.Load(policy);
        string oldPolicy = Path.Combine(_folder, "old.safetensors");
        Checkpoint.Save(oldPolicy, old.Model, old.Tokenizer);
        var error = Assert.Throws<UserInputException>(() => Run(["train", "value", .. withoutTask, "--policy", oldPolicy, "--samples", "2", "--out", value]));
        Assert.Contains($"{oldPolicy} does not record the task", error.Message);
    }

    [Fact]
    public void A_context_shorter_than_the_longest_expert_solution_is_refused_naming_it()
    {
        var error = Assert.Throws<UserInputException>(() => Run(["train", "sft", .. Tiny, "--context", "20", "--out", Path.Combine(_folder, "p.safetensors")]));
        Assert.Matches(@"--context 20 is too small: the expert solution of countdown-[\d-]+ takes \d+ tokens", error.Message);
    }
}
