using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Tests.SelfImprovement;

public sealed class ExperimentProblemsTests
{
    private static readonly ExperimentConfig Countdown = new("x", new TaskConfig("countdown", Numbers: 3, MaxNumber: 9, MaxTarget: 30),
        Imitation: new ImitationConfig(Demonstrations: 50),
        SelfImprovement: new SelfImprovementConfig(Iterations: 3, ProblemsPerIteration: 20));

    [Fact]
    public void EachIterationSearchesItsOwnFreshSliceOfTheTrainingProblems()
    {
        var task = Countdown.Task.Create();
        var training = ExperimentProblems.Training(Countdown, task);
        Assert.Equal(50 + 3 * 20, training.Count);
        var slices = Enumerable.Range(1, 3).Select(k => ExperimentProblems.Iteration(Countdown, training, task, k)).ToList();
        Assert.All(slices, slice => Assert.Equal(20, slice.Count));
        var searched = slices.SelectMany(s => s).Select(p => p.Id).ToList();
        // Never an imitation problem, never one problem twice.
        Assert.Equal(training.Skip(50).Select(p => p.Id), searched);
    }

    [Fact]
    public void WithASelfPlayTaskEachIterationDrawsThatTasksTrainingProblems()
    {
        var config = Countdown with { SelfImprovement = Countdown.SelfImprovement with { Task = new TaskConfig("game24"), ProblemsPerIteration = 1000 } };
        var training = ExperimentProblems.Training(config, config.Task.Create());
        // The training task gives the demonstrations only.
        Assert.Equal(50, training.Count);
        var game24 = config.SelfImprovement.Task!.Create();
        var first = ExperimentProblems.Iteration(config, training, game24, 1);
        var again = ExperimentProblems.Iteration(config, training, game24, 1);
        var second = ExperimentProblems.Iteration(config, training, game24, 2);
        Assert.Equal(1000, first.Count);
        Assert.Equal(first.Select(p => p.Id), again.Select(p => p.Id));
        Assert.NotEqual(first.Select(p => p.Id), second.Select(p => p.Id));
        // Training puzzles of Game of 24: never one of the held-out test set.
        var test = game24.Generate(Split.Test, 100, seed: 0).Select(p => p.Id).ToHashSet();
        Assert.All(first.Concat(second), p => Assert.True(p.Id.StartsWith("game24-", StringComparison.Ordinal) && !test.Contains(p.Id)));
        Assert.Equal(1000, first.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void MoreSelfPlayProblemsThanTheTaskHasIsTheConfigsFault()
    {
        var config = Countdown with { SelfImprovement = Countdown.SelfImprovement with { Task = new TaskConfig("game24"), ProblemsPerIteration = 5000 } };
        var error = Assert.Throws<InvalidDataException>(() => ExperimentProblems.Iteration(config, [], config.SelfImprovement.Task!.Create(), 1));
        Assert.Contains("self_improvement.problems_per_iteration", error.Message);
        Assert.Contains("game24", error.Message);
    }
}
