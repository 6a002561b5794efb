using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>
/// The held-out evaluation problems of a task, keyed by their canonical JSON (<see cref="ITask.ToJson"/>, independent of
/// ids), so training can refuse any of them. Problems generated from the Train split are disjoint from the Test split by
/// construction; this guards every other source (files, hand-made lists, a split mix-up).
/// </summary>
public sealed class HeldOutProblems
{
    private readonly ITask _task;
    private readonly Dictionary<string, string> _idsByKey = new(StringComparer.Ordinal);

    public HeldOutProblems(ITask task, IEnumerable<Problem> problems)
    {
        _task = task;
        foreach (var problem in problems) _idsByKey.TryAdd(Key(problem), problem.Id);
    }

    /// <summary>The Test split an evaluation draws: <paramref name="count"/> problems from <paramref name="seed"/>.</summary>
    public static HeldOutProblems TestSplit(ITask task, int count, int seed) => new(task, task.Generate(Split.Test, count, seed));

    public int Count => _idsByKey.Count;

    public bool Contains(Problem problem) => _idsByKey.ContainsKey(Key(problem));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first training problem that is held out.</summary>
    public void EnsureNoneOf(IEnumerable<Problem> training)
    {
        foreach (var problem in training)
            if (_idsByKey.TryGetValue(Key(problem), out var heldOutId))
                throw new ArgumentException($"training problem {problem.Id} is the held-out {_task.Name} test problem {heldOutId}: training never sees test problems");
    }

    private string Key(Problem problem) => _task.ToJson(problem).ToJsonString();
}
