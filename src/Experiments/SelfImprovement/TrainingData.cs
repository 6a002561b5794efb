using Reasoner.Experiments.Training;
using Reasoner.Rewards;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// Turns searched episodes into training examples, one function per algorithm, in the format of the imitation data:
/// prompt = <c>task.Prompt</c>, completion = steps joined by "\n" with the answer line last (finished: the end token
/// follows). A partial completion ("step 1\nstep 2\n") stops after a separator and is unfinished.
/// </summary>
public static class TrainingData
{
    /// <summary>Expert iteration (STaR, ReST-EM): every distinct verified-correct completion of every episode, weight 1.</summary>
    public static IReadOnlyList<TrainingExample> ExpertIteration(ITask task, IReadOnlyList<Episode> episodes) =>
        episodes.SelectMany(e => Completions(e).Where(c => c.Correct).Select(c => c.Completion).Distinct(StringComparer.Ordinal)
                .Select(completion => new TrainingExample(task.Prompt(e.Problem), completion)))
            .ToList();

    /// <summary>
    /// AlphaZero: at each node where MCTS decided a move, the policy learns the visit distribution over the candidate
    /// steps, as one example per candidate: prompt and steps so far -> that step, weighted by its visit probability
    /// (the cross-entropy to pi = sum_a pi_a * -log p(a)). A step that is an answer line is finished; any other ends
    /// with its separator. Candidates never visited carry no weight and are left out.
    /// </summary>
    public static IReadOnlyList<TrainingExample> AlphaZero(ITask task, IReadOnlyList<Episode> episodes)
    {
        var examples = new List<TrainingExample>();
        foreach (var episode in episodes)
        {
            string prompt = task.Prompt(episode.Problem);
            foreach (var target in episode.VisitTargets)
            {
                string prefix = prompt + string.Concat(target.Steps.Select(step => step + "\n"));
                for (int c = 0; c < target.ChildSteps.Count; c++)
                {
                    if (target.Probabilities[c] <= 0) continue;
                    string step = target.ChildSteps[c];
                    bool answer = task.IsAnswerLine(step);
                    examples.Add(new TrainingExample(prefix, answer ? step : step + "\n", target.Probabilities[c], Finished: answer));
                }
            }
        }
        return examples;
    }

    /// <summary>
    /// GRPO: each episode's candidates are one group; every completion is an example whose weight is its advantage
    /// within the group (<see cref="SelfImprovement.Grpo.Advantages"/>), with the log-probabilities of its targets
    /// (characters, then the end token when finished) under the reference policy, from
    /// <paramref name="referenceLogProbabilities"/>: the trainer's KL term (its KlBeta) is computed against them with
    /// the policy as it is at each step, so it holds the policy from the first step of the first iteration on.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Grpo(ITask task, IReadOnlyList<Episode> episodes,
        Func<string, IReadOnlyList<TrainingExample>, float[][]> referenceLogProbabilities)
    {
        var examples = new List<TrainingExample>();
        foreach (var episode in episodes)
        {
            if (episode.Candidates.Count == 0) continue;
            string prompt = task.Prompt(episode.Problem);
            var advantages = SelfImprovement.Grpo.Advantages(episode.Candidates.Select(c => c.Reward).ToList());
            var group = episode.Candidates.Select(c => new TrainingExample(prompt, c.Completion, Finished: task.IsAnswerLine(LastLine(c.Completion)))).ToList();
            var reference = referenceLogProbabilities(prompt, group);
            for (int i = 0; i < group.Count; i++)
                examples.Add(group[i] with { Weight = (float)advantages[i], ReferenceLogProbs = reference[i] });
        }
        return examples;
    }

    /// <summary>
    /// The value model learns the new outcomes (AlphaZero's z). A completion that ends with an answer line is a finished
    /// example (read after its end token, where search reads a finished answer's value) with its exact outcome: without
    /// it, best-of-N and tree search would rank finished answers by a value the head never learned there. With
    /// <paramref name="prefixes"/>, every line prefix of every distinct completion (the empty one included, up to the
    /// line before the answer) is also a value-only example with target 1 when that completion was verified correct,
    /// else 0; prefixes shared by several completions average their outcomes.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Values(ITask task, IReadOnlyList<Episode> episodes, bool prefixes = true)
    {
        var examples = new List<TrainingExample>();
        foreach (var episode in episodes)
        {
            string prompt = task.Prompt(episode.Problem);
            foreach (var completion in Completions(episode).DistinctBy(c => c.Completion))
            {
                var lines = completion.Completion.Split('\n');
                string prefix = "";
                float target = completion.Correct ? 1f : 0f;
                if (prefixes) examples.Add(new TrainingExample(prompt, prefix, 0f, target, Finished: false));
                for (int i = 0; prefixes && i < lines.Length - 1; i++)
                {
                    prefix += lines[i] + "\n";
                    examples.Add(new TrainingExample(prompt, prefix, 0f, target, Finished: false));
                }
                if (task.IsAnswerLine(lines[^1])) examples.Add(new TrainingExample(prompt, completion.Completion, 0f, target, Finished: true));
            }
        }
        return examples;
    }

    private static IEnumerable<ScoredCompletion> Completions(Episode episode) => episode.Candidates.Prepend(episode.Chosen);

    private static string LastLine(string completion) => completion[(completion.LastIndexOf('\n') + 1)..];
}
