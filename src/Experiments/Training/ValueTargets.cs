using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>Where the partial solutions whose value is estimated come from.</summary>
public enum ValuePrefixes
{
    /// <summary>The first i lines of one trajectory the policy samples per problem: the states search will meet.</summary>
    Policy,
    /// <summary>The first i steps of the expert's solution: states on a correct path.</summary>
    Expert,
    /// <summary>Both, without duplicates (the empty prefix is shared): correct and off-path states.</summary>
    PolicyAndExpert,
}

/// <summary>
/// Monte-Carlo value targets (issue 4): for a partial solution (prompt plus the first i steps, each ending in "\n"), the
/// fraction of K completions sampled from the policy that the task verifies as correct (outcome reward), an estimate of
/// the probability that the policy finishes it correctly. Each becomes a value-only example (weight 0, unfinished).
/// Every sampled completion that ends with the end token also becomes a finished value-only example whose target is its
/// exact verified outcome (1 or 0): the finished states that best-of-N and tree search rank, whose typical flaw (a
/// last step that claims the target without reaching it) no prefix target shows.
/// </summary>
public static class ValueTargets
{
    private static readonly int[] EndOnly = [Tokenizer.End];

    /// <summary>
    /// Prefixes of every problem, K samples each at <paramref name="temperature"/>: each prefix is prefilled once and
    /// forked K times; all forks of a problem generate together to the end token or the context's end.
    /// The decoder needs at least K + 2 free slots (the prompt, a prefix and its forks). <paramref name="random"/> is
    /// consumed in problem order, so a seed repeats the targets.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Collect(GptDecoder decoder, Tokenizer tokenizer, ITask task, IReadOnlyList<Problem> problems,
        int samplesPerPrefix, float temperature, Random random, ValuePrefixes prefixes = ValuePrefixes.PolicyAndExpert)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrefix, 1);
        if (decoder.Cache.FreeSlots < samplesPerPrefix + 2)
            throw new ArgumentException($"the decoder has {decoder.Cache.FreeSlots} free slots; {samplesPerPrefix} samples a prefix need {samplesPerPrefix + 2}");
        var sampling = new SamplingConfig(Temperature: temperature);
        int context = decoder.Model.Config.Context;
        var examples = new List<TrainingExample>();
        foreach (var problem in problems)
        {
            string prompt = task.Prompt(problem);
            int root = decoder.Allocate();
            decoder.Prefill(root, [Tokenizer.Begin, .. tokenizer.Encode(prompt)]);
            var candidates = new List<string>();
            if (prefixes != ValuePrefixes.Policy) candidates.AddRange(ExpertPrefixes(task, problem));
            if (prefixes != ValuePrefixes.Expert) candidates.AddRange(PolicyPrefixes(decoder, tokenizer, task, root, sampling, random));
            // A prefix needs room for at least one generated token.
            var distinct = candidates.Distinct(StringComparer.Ordinal).Where(p => decoder.Length(root) + p.Length < context).ToList();

            int perGroup = Math.Max(1, (decoder.Cache.FreeSlots) / (samplesPerPrefix + 1));
            var finished = new Dictionary<string, bool>(StringComparer.Ordinal); // each distinct finished completion once
            for (int start = 0; start < distinct.Count; start += perGroup)
            {
                var group = distinct.GetRange(start, Math.Min(perGroup, distinct.Count - start));
                foreach (var (prefix, fraction) in Estimate(decoder, tokenizer, task, problem, root, group, samplesPerPrefix, sampling, random, finished))
                    examples.Add(new TrainingExample(prompt, prefix, Weight: 0f, ValueTarget: fraction, Finished: false));
            }
            foreach (var (completion, correct) in finished)
                examples.Add(new TrainingExample(prompt, completion, Weight: 0f, ValueTarget: correct ? 1f : 0f, Finished: true));
            decoder.Free(root);
        }
        return examples;
    }

    /// <summary>"", "step 1\n", "step 1\nstep 2\n", ... up to the last step before the answer line.</summary>
    private static IEnumerable<string> ExpertPrefixes(ITask task, Problem problem)
    {
        var steps = task.Solve(problem);
        string prefix = "";
        yield return prefix;
        foreach (var step in steps.Take(steps.Count - 1))
        {
            prefix += step + "\n";
            yield return prefix;
        }
    }

    /// <summary>The prefixes of one sampled trajectory: its complete lines before the first answer line.</summary>
    private static List<string> PolicyPrefixes(GptDecoder decoder, Tokenizer tokenizer, ITask task, int root, SamplingConfig sampling, Random random)
    {
        var prefixes = new List<string> { "" };
        int slot = decoder.Fork(root);
        int room = decoder.Model.Config.Context - decoder.Length(slot);
        if (room > 0)
        {
            decoder.Generate([slot], sampling, random, room, EndOnly);
            string text = tokenizer.Decode(decoder.Generated(slot));
            var lines = text.Split('\n');
            string prefix = "";
            for (int i = 0; i < lines.Length - 1 && !task.IsAnswerLine(lines[i]); i++) // the last piece has no newline: not a complete line
            {
                prefix += lines[i] + "\n";
                prefixes.Add(prefix);
            }
        }
        decoder.Free(slot);
        return prefixes;
    }

    /// <summary>
    /// K completions of each prefix of the group, generated in one batch; the fraction verified correct per prefix.
    /// Adds every distinct completion that ended with the end token, and whether it is correct, to <paramref name="finished"/>.
    /// </summary>
    private static List<(string Prefix, float Fraction)> Estimate(GptDecoder decoder, Tokenizer tokenizer, ITask task, Problem problem, int root,
        List<string> group, int samples, SamplingConfig sampling, Random random, Dictionary<string, bool> finished)
    {
        var parents = new int[group.Count];
        var forks = new int[group.Count * samples];
        int maxNew = 1;
        for (int p = 0; p < group.Count; p++)
        {
            parents[p] = decoder.Fork(root);
            if (group[p].Length > 0) decoder.Prefill(parents[p], tokenizer.Encode(group[p]));
            for (int k = 0; k < samples; k++) forks[p * samples + k] = decoder.Fork(parents[p]);
            maxNew = Math.Max(maxNew, decoder.Model.Config.Context - decoder.Length(parents[p]));
        }
        decoder.Generate(forks, sampling, random, maxNew, EndOnly);
        var results = new List<(string, float)>(group.Count);
        var rewards = new RewardConfig();
        for (int p = 0; p < group.Count; p++)
        {
            int correct = 0;
            for (int k = 0; k < samples; k++)
            {
                int fork = forks[p * samples + k];
                var generated = decoder.Generated(fork);
                string completion = group[p] + tokenizer.Decode(generated);
                bool isCorrect = task.Verify(problem, completion, rewards).Correct;
                if (isCorrect) correct++;
                if (decoder.Finish(fork) == FinishReason.StopToken && generated[^1] == Tokenizer.End) finished[completion] = isCorrect;
                decoder.Free(fork);
            }
            decoder.Free(parents[p]);
            results.Add((group[p], (float)correct / samples));
        }
        return results;
    }
}
