using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>Imitation data: the expert's solution of each training problem as a finished <see cref="TrainingExample"/>.</summary>
public static class Demonstrations
{
    /// <summary>One example a problem: prompt = task.Prompt, completion = the expert's steps joined by "\n" (the answer
    /// line last), finished; and <paramref name="deadEnds"/> dead ends of each (<see cref="With"/>). Refuses any problem
    /// of <paramref name="heldOut"/>, naming it.</summary>
    public static IReadOnlyList<TrainingExample> Create(ITask task, IReadOnlyList<Problem> problems, HeldOutProblems heldOut, int deadEnds = 0)
    {
        heldOut.EnsureNoneOf(problems);
        return With(task, problems, deadEnds);
    }

    public static TrainingExample Of(ITask task, Problem problem) => new(task.Prompt(problem), string.Join("\n", task.Solve(problem)));

    /// <summary>
    /// The expert's solutions of <paramref name="problems"/>, each followed by <paramref name="deadEnds"/> dead ends of
    /// its problem (<see cref="DeadEndsOf"/>). Throws naming <c>imitation.dead_ends</c> when dead ends were asked for and
    /// the task gave none for any problem (it has none to show).
    /// </summary>
    public static List<TrainingExample> With(ITask task, IReadOnlyList<Problem> problems, int deadEnds)
    {
        var examples = new List<TrainingExample>(problems.Count * (1 + deadEnds));
        foreach (var problem in problems)
        {
            examples.Add(Of(task, problem));
            examples.AddRange(DeadEndsOf(task, problem, deadEnds));
        }
        if (deadEnds > 0 && problems.Count > 0 && examples.Count == problems.Count)
            throw new ArgumentException($"imitation.dead_ends = {deadEnds}: task {task.Name} shows no dead end for any of {problems.Count} problems; set it to 0");
        return examples;
    }

    /// <summary>
    /// <paramref name="count"/> dead ends of a problem (<see cref="ITask.DeadEnd"/>) as finished examples that teach only
    /// what follows the mistake: the expert's steps before it and the mistake itself have token weight 0 (the policy's
    /// moves from solvable states are the expert's solutions alone), every later line, the answer line and the end token 1.
    /// Seeded by the problem's id and the index, so a run rebuilds the same ones on resume and on every machine; distinct
    /// draws may repeat a dead end of a small problem.
    /// </summary>
    public static IEnumerable<TrainingExample> DeadEndsOf(ITask task, Problem problem, int count)
    {
        for (int k = 0; k < count; k++)
        {
            var deadEnd = task.DeadEnd(problem, new Random(SeedOf(problem.Id, k)));
            if (deadEnd is null) yield break;
            var completion = string.Join("\n", deadEnd.Lines);
            int taught = deadEnd.Lines.Take(deadEnd.Mistake + 1).Sum(line => line.Length + 1);
            var weights = new float[completion.Length + 1];
            weights.AsSpan(taught).Fill(1f);
            yield return new TrainingExample(task.Prompt(problem), completion, TokenWeights: weights);
        }
    }

    /// <summary>FNV-1a of the id and the index (string.GetHashCode differs between processes).</summary>
    private static int SeedOf(string id, int index)
    {
        var hash = 2166136261u;
        foreach (var c in id) hash = (hash ^ c) * 16777619u;
        hash = (hash ^ (uint)index) * 16777619u;
        return (int)(hash & int.MaxValue);
    }

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
