using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>
/// A step checker's data: the claims of the task's drills (<see cref="ITask.Drills"/>, <see cref="ITask.Claim"/>) as
/// finished examples, the question as prompt and the written result as completion (then the end token), with no problem
/// and no target in view: a model trained on them learns to compute a step, and cannot learn to claim a target. Its
/// log-probability of a step's written result then says whether the step's arithmetic holds, which a value network
/// trained on one bit a state does not learn at a small size (issue 9). Imitation data, from the expert: no oracle and
/// no verifier is asked about any state.
/// </summary>
public static class StepChecks
{
    /// <summary>The distinct claims of the drills of <paramref name="problems"/>, in a fixed order.</summary>
    public static IReadOnlyList<TrainingExample> Examples(ITask task, IEnumerable<Problem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<TrainingExample>();
        foreach (var problem in problems)
            foreach (var line in task.Drills(problem))
                if (task.Claim(line) is { } claim && seen.Add(claim.Question + claim.Answer))
                    examples.Add(new TrainingExample(claim.Question, claim.Answer));
        return examples;
    }
}
