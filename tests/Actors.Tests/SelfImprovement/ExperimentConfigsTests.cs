using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>The experiment configs in experiments/ run as they are: they bind strictly and build their task and searches.</summary>
public class ExperimentConfigsTests
{
    public static TheoryData<string> Configs() => [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "experiments"), "*.yaml").Select(path => Path.GetFileName(path))];

    [Theory]
    [MemberData(nameof(Configs))]
    public void BindsAndBuildsItsTaskAndSearches(string file)
    {
        var config = ConfigBinder.LoadFile<ExperimentConfig>(Path.Combine(RepositoryRoot(), "experiments", file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), config.Name);
        var task = config.Task.Create();
        Assert.NotEmpty(task.Generate(Rewards.Split.Test, 1, config.Seed));
        // The run draws every training problem it needs up front; a task too small for the config fails there.
        var loop = config.SelfImprovement;
        int needed = config.Imitation.Demonstrations + (loop.Gating ? loop.GatingProblems : 0) + loop.Iterations * loop.ProblemsPerIteration;
        Assert.Equal(needed, task.Generate(Rewards.Split.Train, needed, SeedMix.Of(config.Seed, 1)).Count);
        Assert.Equal(config.Evaluation.Problems, task.Generate(Rewards.Split.Test, config.Evaluation.Problems, SeedMix.Of(config.Seed, 2)).Count);
        Assert.NotNull(SearchPlan.ForSelfImprovement(config.SelfImprovement.Search).Create());
        Assert.All(config.Evaluation.Methods, m => Assert.NotNull(SearchPlan.ForEvaluation(m, config.SelfImprovement.Search).Create()));
    }

    [Fact]
    public void TheQuickstartIsExpertIterationOnCountdownWithSystem1AndASearch()
    {
        var config = ConfigBinder.LoadFile<ExperimentConfig>(Path.Combine(RepositoryRoot(), "experiments", "quickstart.yaml"));
        Assert.Equal(("countdown", SelfImprovementAlgorithm.ExpertIteration), (config.Task.Name, config.SelfImprovement.Algorithm));
        Assert.Contains(SearchMethod.System1, config.Evaluation.Methods);
        Assert.True(config.Evaluation.Methods.Count > 1);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Reasoner.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("no Reasoner.sln above the test binaries");
    }
}
