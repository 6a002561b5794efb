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
    private static ReadOnlySpan<int> EndOnly => [Tokenizer.End];

    /// <summary>
    /// Prefixes of every problem, K samples each at <paramref name="temperature"/>. Problems are taken in chunks that
    /// share the decoder: each prompt is prefilled once, the policy's trajectories of a chunk are sampled in one batch,
    /// and the K forks of as many (problem, prefix) pairs as the free slots hold generate together to the end token or
    /// the context's end, so one model run serves many problems. The decoder needs at least K + 3 free slots.
    /// With expert prefixes, the expert's whole solution is also a finished example with target 1 (it is correct, and
    /// a finished state's value is its outcome): the positives that a weak policy's own samples rarely give.
    /// <paramref name="random"/> is consumed in a fixed order, so a seed repeats the targets. <paramref name="progress"/> gets the
    /// problems done after each chunk.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Collect(GptDecoder decoder, Tokenizer tokenizer, ITask task, IReadOnlyList<Problem> problems,
        int samplesPerPrefix, float temperature, Random random, ValuePrefixes prefixes = ValuePrefixes.PolicyAndExpert, Action<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerPrefix, 1);
        if (decoder.Cache.FreeSlots < samplesPerPrefix + 3)
            throw new ArgumentException($"the decoder has {decoder.Cache.FreeSlots} free slots; {samplesPerPrefix} samples a prefix need {samplesPerPrefix + 3}");
        var sampling = new SamplingConfig(Temperature: temperature);
        // A chunk's prompts hold one slot each for its whole life: leave at least half the slots to the forks.
        int chunk = Math.Max(1, decoder.Cache.FreeSlots / (2 * (samplesPerPrefix + 1)));
        var examples = new List<TrainingExample>();
        for (int first = 0; first < problems.Count; first += chunk)
        {
            CollectChunk(decoder, tokenizer, task, problems.Skip(first).Take(chunk).ToList(), samplesPerPrefix, sampling, random, prefixes, examples);
            progress?.Invoke(Math.Min(problems.Count, first + chunk));
        }
        return examples;
    }

    private static void CollectChunk(GptDecoder decoder, Tokenizer tokenizer, ITask task, List<Problem> problems, int samplesPerPrefix,
        SamplingConfig sampling, Random random, ValuePrefixes prefixes, List<TrainingExample> examples)
    {
        int context = decoder.Model.Config.Context;
        var prompts = problems.Select(task.Prompt).ToArray();
        var promptTokens = prompts.Select(prompt => (int[])[Tokenizer.Begin, .. tokenizer.Encode(prompt)]).ToArray();
        var roots = new int[problems.Count];
        for (int i = 0; i < roots.Length; i++) roots[i] = decoder.Allocate();
        decoder.Extend(roots, promptTokens.SelectMany(t => t).ToArray(), promptTokens.Select(t => t.Length).ToArray());

        var candidates = problems.Select(p => prefixes == ValuePrefixes.Policy ? new List<string>() : ExpertPrefixes(task, p).ToList()).ToArray();
        if (prefixes != ValuePrefixes.Expert)
        {
            var sampled = PolicyPrefixes(decoder, tokenizer, task, roots, sampling, random);
            for (int i = 0; i < problems.Count; i++) candidates[i].AddRange(sampled[i]);
        }
        // A prefix needs room for at least one generated token.
        var items = new List<(int Problem, string Prefix)>();
        for (int i = 0; i < problems.Count; i++)
            foreach (var prefix in candidates[i].Distinct(StringComparer.Ordinal))
                if (decoder.Length(roots[i]) + prefix.Length < context) items.Add((i, prefix));

        var finished = problems.Select(_ => new Dictionary<string, bool>(StringComparer.Ordinal)).ToArray(); // each distinct finished completion once
        if (prefixes != ValuePrefixes.Policy)
            for (int i = 0; i < problems.Count; i++) finished[i][string.Join("\n", task.Solve(problems[i]))] = true;
        var fractions = new float[items.Count];
        int perGroup = Math.Max(1, decoder.Cache.FreeSlots / (samplesPerPrefix + 1));
        for (int start = 0; start < items.Count; start += perGroup)
            Estimate(decoder, tokenizer, task, problems, roots, items, start, Math.Min(perGroup, items.Count - start), samplesPerPrefix, sampling, random, finished, fractions);

        for (int i = 0; i < problems.Count; i++)
        {
            for (int j = 0; j < items.Count; j++)
                if (items[j].Problem == i) examples.Add(new TrainingExample(prompts[i], items[j].Prefix, Weight: 0f, ValueTarget: fractions[j], Finished: false));
            foreach (var (completion, correct) in finished[i])
                examples.Add(new TrainingExample(prompts[i], completion, Weight: 0f, ValueTarget: correct ? 1f : 0f, Finished: true));
        }
        foreach (var root in roots) decoder.Free(root);
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

    /// <summary>Per root, the prefixes of one trajectory sampled from it: "" and its complete lines before the first answer line.</summary>
    private static List<string>[] PolicyPrefixes(GptDecoder decoder, Tokenizer tokenizer, ITask task, int[] roots, SamplingConfig sampling, Random random)
    {
        var prefixes = roots.Select(_ => new List<string> { "" }).ToArray();
        var forks = new List<(int Root, int Slot)>();
        int room = 0;
        for (int i = 0; i < roots.Length; i++)
        {
            int left = decoder.Model.Config.Context - decoder.Length(roots[i]);
            if (left <= 0) continue;
            forks.Add((i, decoder.Fork(roots[i])));
            room = Math.Max(room, left);
        }
        if (forks.Count > 0) decoder.Generate(forks.Select(f => f.Slot).ToArray(), sampling, random, room, EndOnly);
        foreach (var (root, slot) in forks)
        {
            var lines = tokenizer.Decode(decoder.Generated(slot)).Split('\n');
            string prefix = "";
            for (int i = 0; i < lines.Length - 1 && !task.IsAnswerLine(lines[i]); i++) // the last piece has no newline: not a complete line
            {
                prefix += lines[i] + "\n";
                prefixes[root].Add(prefix);
            }
            decoder.Free(slot);
        }
        return prefixes;
    }

    /// <summary>
    /// K completions of items [start, start + count), generated in one batch; writes the fraction verified correct per
    /// item to <paramref name="fractions"/>, and adds every distinct completion that ended with the end token, with
    /// whether it is correct, to its problem's <paramref name="finished"/>.
    /// </summary>
    private static void Estimate(GptDecoder decoder, Tokenizer tokenizer, ITask task, List<Problem> problems, int[] roots,
        List<(int Problem, string Prefix)> items, int start, int count, int samples, SamplingConfig sampling, Random random,
        Dictionary<string, bool>[] finished, float[] fractions)
    {
        var parents = new int[count];
        var forks = new int[count * samples];
        var encoded = new List<int>();
        var lengths = new int[count];
        for (int p = 0; p < count; p++)
        {
            parents[p] = decoder.Fork(roots[items[start + p].Problem]);
            var tokens = tokenizer.Encode(items[start + p].Prefix);
            encoded.AddRange(tokens);
            lengths[p] = tokens.Length;
        }
        decoder.Extend(parents, encoded.ToArray(), lengths);
        int maxNew = 1;
        for (int p = 0; p < count; p++)
        {
            for (int k = 0; k < samples; k++) forks[p * samples + k] = decoder.Fork(parents[p]);
            maxNew = Math.Max(maxNew, decoder.Model.Config.Context - decoder.Length(parents[p]));
        }
        decoder.Generate(forks, sampling, random, maxNew, EndOnly);
        var rewards = new RewardConfig();
        for (int p = 0; p < count; p++)
        {
            var (problem, prefix) = items[start + p];
            int correct = 0;
            for (int k = 0; k < samples; k++)
            {
                int fork = forks[p * samples + k];
                var generated = decoder.Generated(fork);
                string completion = prefix + tokenizer.Decode(generated);
                bool isCorrect = task.Verify(problems[problem], completion, rewards).Correct;
                if (isCorrect) correct++;
                if (decoder.Finish(fork) == FinishReason.StopToken && generated[^1] == Tokenizer.End) finished[problem][completion] = isCorrect;
                decoder.Free(fork);
            }
            decoder.Free(parents[p]);
            fractions[start + p] = (float)correct / samples;
        }
    }
}
