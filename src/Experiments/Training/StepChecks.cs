using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>
/// A step checker's data: the claims of the task's drills (<see cref="ITask.Drills"/>, <see cref="ITask.Claim"/>) as
/// finished examples, the question as prompt and the written result as completion (then the end token), with no problem
/// and no target in view: a model trained on them learns to compute a step, and cannot learn to claim a target. Its
/// log-probability of a step's written result then says whether the step's arithmetic holds, which a value network
/// trained on one bit a state does not learn at a small size (issue 9). Imitation data, from the expert: no verifier is
/// asked about any state, and only the problems steps leave (with <c>states</c>) are labelled by the task's solver, as the
/// expert labels states in imitation.
/// </summary>
public static class StepChecks
{
    /// <summary>
    /// The distinct claims of the drills of <paramref name="problems"/>, in a fixed order; with <paramref name="states"/>,
    /// then the distinct problems those drills leave (<see cref="ITask.RemainingDrills"/>), each a value example alone (the
    /// prompt and no completion, target 1 when it can still be solved, no policy loss).
    /// </summary>
    public static IReadOnlyList<TrainingExample> Examples(ITask task, IEnumerable<Problem> problems, bool states = false)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seenLeft = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<TrainingExample>();
        var remaining = new List<TrainingExample>();
        foreach (var problem in problems)
        {
            foreach (var line in task.Drills(problem))
                if (task.Claim(line) is { } claim && seen.Add(claim.Question + claim.Answer))
                    examples.Add(new TrainingExample(claim.Question, claim.Answer));
            if (!states) continue;
            foreach (var left in task.RemainingDrills(problem))
                if (seenLeft.Add(left.Prompt))
                    remaining.Add(new TrainingExample(left.Prompt, "", Weight: 0f, ValueTarget: left.Solvable ? 1f : 0f, Finished: false));
        }
        return [.. examples, .. remaining];
    }
}
