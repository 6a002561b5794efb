using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Tests.Runs;

public class RunDirectoryTests
{
    private static readonly FixedClock Clock = new(new DateTimeOffset(2026, 11, 22, 9, 5, 7, TimeSpan.FromHours(2)));

    [Fact]
    public void CreateStampsTheUtcTimeAndMakesSubfolders()
    {
        using var temp = new TempFolder();
        var run = RunDirectory.Create(temp.Path, "game24-mcts", Clock);
        Assert.Equal("game24-mcts-20261122-070507", run.Name);
        Assert.True(Directory.Exists(run.CheckpointsPath));
        Assert.True(Directory.Exists(run.PlotsPath));
        Assert.Equal(Path.Combine(run.Path, "metrics.jsonl"), run.MetricsJsonlPath);
    }

    [Fact]
    public void RunsStartedInTheSameSecondGetTheirOwnFolders()
    {
        using var temp = new TempFolder();
        var first = RunDirectory.Create(temp.Path, "x", Clock);
        var second = RunDirectory.Create(temp.Path, "x", Clock);
        Assert.Equal(first.Path + "-2", second.Path);
    }

    [Fact]
    public void OpenRequiresMetrics()
    {
        using var temp = new TempFolder();
        Assert.Throws<DirectoryNotFoundException>(() => RunDirectory.Open(Path.Combine(temp.Path, "missing")));
        var run = RunDirectory.Create(temp.Path, "x", Clock);
        Assert.Throws<FileNotFoundException>(() => RunDirectory.Open(run.Path));
        File.WriteAllText(run.MetricsJsonlPath, "");
        Assert.Equal(run.Path, RunDirectory.Open(run.Path + "/").Path);
    }
}
