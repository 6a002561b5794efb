using Reasoner.Experiments.Config;
using Reasoner.Rewards;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>The held-out problems of an experiment and the task they belong to (evaluation.task, or the training task).</summary>
/// <param name="OtherTask">evaluation.task's task, null when the problems are the training task's own.</param>
public sealed record HeldOutSet(ITask Task, IReadOnlyList<Problem> Problems, ITask? OtherTask);

/// <summary>
/// The problems of one experiment, drawn from its seed: the loop draws them once when it starts, and <c>eval --run</c>
/// draws the held-out ones again to evaluate a run's checkpoint on exactly what the run evaluated. Disjoint by
/// construction: every training problem (imitation's demonstrations, then the gating validation problems, then each
/// iteration's fresh slice) comes from the training split, the held-out ones from the test split.
/// </summary>
public static class ExperimentProblems
{
    /// <summary>imitation.demonstrations + gating_problems (when gating) + iterations * problems_per_iteration training problems,
    /// in that order; without the iterations' when self_improvement.task searches another task.</summary>
    public static IReadOnlyList<Problem> Training(ExperimentConfig config, ITask task)
    {
        var loop = config.SelfImprovement;
        return loop.Task is null
            ? Generate(config, task, Split.Train, BeforeTheLoop(config) + loop.Iterations * loop.ProblemsPerIteration,
                SeedMix.Of(config.Seed, 1), "imitation.demonstrations + self_improvement.gating_problems + iterations * problems_per_iteration")
            : Generate(config, task, Split.Train, BeforeTheLoop(config), SeedMix.Of(config.Seed, 1), "imitation.demonstrations + self_improvement.gating_problems");
    }

    /// <summary>The training problems imitation and gating take, at the head of <see cref="Training"/>.</summary>
    private static int BeforeTheLoop(ExperimentConfig config) =>
        config.Imitation.Demonstrations + (config.SelfImprovement.Gating ? config.SelfImprovement.GatingProblems : 0);

    /// <summary>
    /// The problems iteration <paramref name="k"/> searches: its slice of <paramref name="training"/>'s fresh problems, or
    /// with self_improvement.task, problems_per_iteration training problems of <paramref name="selfPlay"/> (that task)
    /// drawn for the iteration from the seed.
    /// </summary>
    public static IReadOnlyList<Problem> Iteration(ExperimentConfig config, IReadOnlyList<Problem> training, ITask selfPlay, int k)
    {
        var loop = config.SelfImprovement;
        if (loop.Task is not null)
            return Generate(config, selfPlay, Split.Train, loop.ProblemsPerIteration, SeedMix.Of(config.Seed, 4, k), "self_improvement.problems_per_iteration");
        return training.Skip(BeforeTheLoop(config) + (k - 1) * loop.ProblemsPerIteration).Take(loop.ProblemsPerIteration).ToList();
    }

    /// <summary>evaluation.problems test problems of evaluation.task, or of <paramref name="task"/> (the training task) when it has none.</summary>
    public static HeldOutSet HeldOut(ExperimentConfig config, ITask task)
    {
        var otherTask = config.Evaluation.Task?.Create();
        var heldOutTask = otherTask ?? task;
        return new HeldOutSet(heldOutTask, Generate(config, heldOutTask, Split.Test, config.Evaluation.Problems, SeedMix.Of(config.Seed, 2), "evaluation.problems"), otherTask);
    }

    // Asking for more distinct problems than the task's options allow is the config's fault: say which keys add up.
    private static IReadOnlyList<Problem> Generate(ExperimentConfig config, ITask task, Split split, int count, int seed, string keys)
    {
        try
        {
            return task.Generate(split, count, seed);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{config.Name}: {error.Message}; lower {keys} or widen the task's options", error);
        }
    }
}
