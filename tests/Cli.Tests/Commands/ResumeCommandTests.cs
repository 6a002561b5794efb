using System.Text.Json;
using System.Text.Json.Nodes;
using Reasoner.Actors.Tests.SelfImprovement;
using Reasoner.Cli.Commands;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>The same tiny GPT run, never stopped: what every resumed run must end with.</summary>
public sealed class UninterruptedRun : IDisposable
{
    public UninterruptedRun()
    {
        Config = ClusterCommandTests.TinyConfig(Folder, problems: 16, simulations: 48, imitationSteps: 300);
        var invocation = CommandRunner.Run(RunCommand.Create(), "run", Config, "--out", Path.Combine(Folder, "whole"), "--threads", "1");
        Assert.True(invocation.Code == 0, invocation.Error);
        Run = JsonDocument.Parse(invocation.Output).RootElement.GetProperty("run").GetString()!;
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("reasoner-resume-cli-").FullName;
    public string Config { get; }
    public string Run { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary><c>reasoner run</c> killed with SIGKILL in imitation, self-play and evaluation, then <c>--resume</c>d.</summary>
public sealed class ResumeCommandTests(UninterruptedRun whole) : IClassFixture<UninterruptedRun>
{
    [Theory]
    [InlineData("imitation", "iteration 0, step 100:", null)]
    [InlineData("self-play", "search [iteration 1/2]", "evaluation 0")]
    [InlineData("evaluation", "evaluate mcts [iteration 1]", "improve 1")]
    public async Task ARunKilledMidStageResumesToTheMetricsOfARunNeverKilled(string stage, string killAt, string? lastDone)
    {
        string results = Path.Combine(whole.Folder, stage);
        using (var doomed = ReasonerProcess.Start("run", whole.Config, "--out", results, "--threads", "1"))
        {
            await doomed.WaitForLineAsync(l => l.Contains(killAt, StringComparison.Ordinal), TimeSpan.FromMinutes(2));
            doomed.Kill();
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        string run = Assert.Single(Directory.GetDirectories(results));
        // Killed inside the stage, the journal ends with the stage before it. The line is read while the run goes on,
        // so on a loaded machine the kill can land a stage or more later (a test run once found "evaluation 2" for
        // "improve 1"), never earlier: the journal holds at least the stages up to lastDone, each the uninterrupted
        // run's, in its order.
        var journal = Stages(run);
        var wholeJournal = Stages(whole.Run);
        int atLeast = lastDone is null ? 0 : wholeJournal.IndexOf(lastDone) + 1;
        Assert.True(lastDone is null || atLeast > 0, $"the uninterrupted run never did {lastDone}");
        Assert.True(journal.Count >= atLeast && journal.SequenceEqual(wholeJournal.Take(journal.Count)),
            $"killed at '{killAt}', the journal is [{string.Join(", ", journal)}]; the uninterrupted run's: [{string.Join(", ", wholeJournal)}]");

        var resumed = CommandRunner.Run(RunCommand.Create(), "run", "--resume", run, "--threads", "1");
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("Resuming run tiny", resumed.Error);
        Assert.DoesNotContain("\u001b", resumed.Error + resumed.Output); // not a terminal: plain lines, no colour or cursor escapes
        Assert.Equal(run, JsonDocument.Parse(resumed.Output).RootElement.GetProperty("run").GetString());
        Assert.Equal(MetricsLines.WithoutWallTime(Path.Combine(whole.Run, "metrics.jsonl")), MetricsLines.WithoutWallTime(Path.Combine(run, "metrics.jsonl")));
        Assert.Equal(File.ReadAllText(Path.Combine(whole.Run, "outcomes.jsonl")), File.ReadAllText(Path.Combine(run, "outcomes.jsonl")));
        Assert.True(File.Exists(Path.Combine(run, "summary.md")));
    }

    /// <summary>The stages a run's journal says it finished, "stage iteration" each, in order.</summary>
    private static List<string> Stages(string run)
    {
        string path = Path.Combine(run, "progress.jsonl");
        return File.Exists(path) ? File.ReadAllLines(path).Select(line => JsonNode.Parse(line)!).Select(j => $"{j["stage"]} {j["iteration"]}").ToList() : [];
    }

    [Fact]
    public void ResumeTakesNoConfigAndNeedsARunDirectory()
    {
        var both = Assert.Throws<UserInputException>(() => CommandRunner.Run(RunCommand.Create(), "run", whole.Config, "--resume", whole.Run));
        Assert.Contains("--resume", both.Message);
        var none = Assert.Throws<FileNotFoundException>(() => CommandRunner.Run(RunCommand.Create(), "run", "--resume", whole.Folder));
        Assert.Contains("config.yaml", none.Message);
    }
}
