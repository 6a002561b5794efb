using System.CommandLine;
using System.Diagnostics;
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

    private readonly string[] Tiny =
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

        var trained = CommandRunner.Run(TrainCommand.Create(), ["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--separate", "--out", value]);
        Assert.Equal(0, trained.Code);
        Assert.Equal(16, Checkpoint.Load(value).Model.Config.ModelDim);
        // The ranking is reported on held-out states and, to tell underfitting from overfitting, on states it trained on.
        var result = System.Text.Json.Nodes.JsonNode.Parse(trained.Output.Trim().Split('\n')[^1])!;
        Assert.True(result["training_value"]!["partial_states"]!.GetValue<int>() > 0);
        Assert.NotNull(result["held_out_value"]);

        // --checker-steps: the separate network then learns step checks, and says so in its metadata (eval reads it with them).
        Assert.False(Checkpoint.Load(value).Metadata.ContainsKey(ValueChecks.StepsKey));
        Assert.Equal(0, Run(["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--separate", "--checker-steps", "2", "--out", value]));
        Assert.Equal("true", Checkpoint.Load(value).Metadata[ValueChecks.StepsKey]);
        Assert.False(Checkpoint.Load(value).Metadata.ContainsKey(ValueChecks.StatesKey));
        // --check-states: the problems steps leave too, marked so that search reads partial states by them.
        Assert.Equal(0, Run(["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--separate", "--checker-steps", "2", "--check-states", "--out", value]));
        Assert.Equal("true", Checkpoint.Load(value).Metadata[ValueChecks.StatesKey]);
        Assert.Contains("--checker-steps", Assert.Throws<UserInputException>(() =>
            Run(["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--separate", "--check-states", "--out", value])).Message);
        Assert.Contains("--separate", Assert.Throws<UserInputException>(() =>
            Run(["train", "value", .. Tiny, "--policy", policy, "--samples", "2", "--checker-steps", "2", "--out", value])).Message);
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
    public async Task Training_that_keeps_diverging_stops_with_one_line_and_exit_code_1()
    {
        // The real process, so that what reaches the person (warnings, the last line, the exit code) is checked whole.
        // A rate of 1e30 sends the weights to about 1e30 after the first step, and every later loss is NaN.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { typeof(TrainCommand).Assembly.Location, "train", "sft" }.Concat(Tiny)
            .Concat(["--lr", "1e30", "--max-non-finite-steps", "2", "--out", Path.Combine(_folder, "p.safetensors")]))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var errorRead = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = (await errorRead).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("", output);
        Assert.Equal(1, error.Count(line => line.Contains("WRN") && line.Contains("step skipped") && line.Contains("learning rate halved")));
        Assert.Contains("ERR] training stopped: 2 steps in a row had a non-finite loss or gradient norm", error[^1]);
        Assert.DoesNotContain(error, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_folder, "p.safetensors")));
    }

    [Fact]
    public void A_context_shorter_than_the_longest_expert_solution_is_refused_naming_it()
    {
        var error = Assert.Throws<UserInputException>(() => Run(["train", "sft", .. Tiny, "--context", "20", "--out", Path.Combine(_folder, "p.safetensors")]));
        Assert.Matches(@"--context 20 is too small: the expert solution of countdown-[\d-]+ takes \d+ tokens", error.Message);
    }
}
