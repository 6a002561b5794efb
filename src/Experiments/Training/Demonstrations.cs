using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>Imitation data: the expert's solution of each training problem as a finished <see cref="TrainingExample"/>.</summary>
public static class Demonstrations
{
    /// <summary>One example a problem: prompt = task.Prompt, completion = the expert's steps joined by "\n" (the answer
    /// line last), finished. Refuses any problem of <paramref name="heldOut"/>, naming it.</summary>
    public static IReadOnlyList<TrainingExample> Create(ITask task, IReadOnlyList<Problem> problems, HeldOutProblems heldOut)
    {
        heldOut.EnsureNoneOf(problems);
        return problems.Select(problem => Of(task, problem)).ToList();
    }

    public static TrainingExample Of(ITask task, Problem problem) => new(task.Prompt(problem), string.Join("\n", task.Solve(problem)));

    /// <summary>
    /// The context a model needs to read and write these problems' expert solutions: the longest demonstration's tokens
    /// (begin, prompt, solution, end), rounded up to a multiple of 8 so a policy's slightly longer wording still fits.
    /// </summary>
    public static int ContextFor(ITask task, IEnumerable<Problem> problems)
    {
        int longest = problems.Max(problem => Of(task, problem).TokenCount);
        return (longest + 7) / 8 * 8;
    }
}
