using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>Where imitation's value targets come from (<c>imitation.value_targets</c>, <c>train value --targets</c>).</summary>
public enum ValueTargetSource
{
    /// <summary>Outcomes of the imitation policy's own rollouts: Monte-Carlo fractions of prefixes, verified finished answers.</summary>
    Rollouts,
    /// <summary>The expert labels states with the task's exact oracle (<see cref="OracleValueTargets"/>).</summary>
    Expert,
    /// <summary>Both sets of examples, side by side.</summary>
    Both,
}

/// <summary>
/// Value targets the expert labels, as it labels moves in imitation: every state is 1 when the task's exact oracle
/// (<see cref="ITask.IsSolvable"/>) says it can still end correct, else 0, so a weak policy's rare successes do not leave
/// the targets mostly 0 (issue 9). The states are those search meets and must tell apart:
/// <list type="bullet">
/// <item>the expert's prefixes and solution (positives on a correct path);</item>
/// <item>the policy's own trajectories sampled from the prompt: every line prefix and the finished answer (its typical
/// flaw, a last step that claims the target without reaching it, is exactly what search must not believe);</item>
/// <item>K steps the policy proposes from each expert prefix (the children a search frontier of good states expands);</item>
/// <item>near misses of every expert step and of every policy step taken from a solvable state
/// (<see cref="ITask.Corruptions"/>: wrong arithmetic, a number not left or used twice, a false claim of the target, a
/// wrong "left:" list), so the value learns to read a step's arithmetic.</item>
/// </list>
/// A partial state's completion is its lines, each ending in "\n" (its value is read after that separator, where search
/// reads it); a finished one ends with the answer line and is read after its end token. Each distinct state of a problem
/// is one value-only example (weight 0). Only for imitation: self-improvement learns from verified outcomes.
/// </summary>
public static class OracleValueTargets
{
    private static readonly int[] EndOnly = [Tokenizer.End];

    /// <summary>
    /// <paramref name="samples"/> trajectories per problem and <paramref name="samples"/> proposals per expert prefix, at
    /// <paramref name="temperature"/>, drawn in batches that share the decoder (it needs at least 2 (samples + 1) free
    /// slots). <paramref name="random"/> is consumed in a fixed order, so a seed repeats the targets;
    /// <paramref name="progress"/> gets the problems done after each chunk. Without <paramref name="nearMisses"/> only
    /// states the policy itself reaches are labelled (to measure a value on them). With <paramref name="paths"/> the states
    /// come packed as paths, each path one example with a target at each of its states (cheaper to train: one pass reads
    /// them all); without, one example per state (to score each state alone).
    /// </summary>
    public static IReadOnlyList<TrainingExample> Collect(GptDecoder decoder, Tokenizer tokenizer, ITask task, IReadOnlyList<Problem> problems,
        int samples, float temperature, Random random, Action<int>? progress = null, bool nearMisses = true, bool paths = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (decoder.Cache.FreeSlots < 2 * (samples + 1))
            throw new ArgumentException($"the decoder has {decoder.Cache.FreeSlots} free slots; {samples} samples need {2 * (samples + 1)}");
        var sampling = new SamplingConfig(Temperature: temperature);
        int chunk = Math.Max(1, decoder.Cache.FreeSlots / (2 * (samples + 1)));
        var examples = new List<TrainingExample>();
        for (int first = 0; first < problems.Count; first += chunk)
        {
            var batch = problems.Skip(first).Take(chunk).ToList();
            var states = CollectChunk(decoder, tokenizer, task, batch, samples, sampling, random);
            for (int i = 0; i < batch.Count; i++)
                examples.AddRange(Label(task, batch[i], states[i], decoder.Model.Config.Context, nearMisses ? random : null, paths));
            progress?.Invoke(Math.Min(problems.Count, first + chunk));
        }
        return examples;
    }

    /// <summary>Per problem, the lines of every state to label (expert, sampled and proposed; near misses are added when labelling).</summary>
    private static List<List<string>>[] CollectChunk(GptDecoder decoder, Tokenizer tokenizer, ITask task, List<Problem> problems, int samples,
        SamplingConfig sampling, Random random)
    {
        int context = decoder.Model.Config.Context;
        var roots = new int[problems.Count];
        var promptTokens = problems.Select(p => (int[])[Tokenizer.Begin, .. tokenizer.Encode(task.Prompt(p))]).ToArray();
        for (int i = 0; i < roots.Length; i++) roots[i] = decoder.Allocate();
        decoder.Extend(roots, promptTokens.SelectMany(t => t).ToArray(), promptTokens.Select(t => t.Length).ToArray());
        var states = problems.Select(_ => new List<List<string>>()).ToArray();

        // Whole trajectories from the prompt: their prefixes and, when they answer, the finished state.
        var forks = new List<(int Problem, int Slot)>();
        int room = 1;
        for (int i = 0; i < roots.Length; i++)
        {
            int left = context - decoder.Length(roots[i]);
            if (left <= 0) continue;
            for (int k = 0; k < samples; k++) forks.Add((i, decoder.Fork(roots[i])));
            room = Math.Max(room, left);
        }
        if (forks.Count > 0) decoder.Generate(forks.Select(f => f.Slot).ToArray(), sampling, random, room, EndOnly);
        foreach (var (problem, slot) in forks)
        {
            states[problem].Add(Lines(task, tokenizer.Decode(decoder.Generated(slot)), complete: decoder.Finish(slot) == FinishReason.StopToken));
            decoder.Free(slot);
        }

        // The expert's prefixes, and K next steps the policy proposes from each.
        var prefixes = new List<(int Problem, List<string> Lines)>();
        for (int i = 0; i < problems.Count; i++)
        {
            var solution = task.Solve(problems[i]);
            states[i].Add(solution.ToList());
            for (int length = 0; length < solution.Count; length++) prefixes.Add((i, solution.Take(length).ToList()));
        }
        int perGroup = Math.Max(1, decoder.Cache.FreeSlots / (samples + 1));
        for (int start = 0; start < prefixes.Count; start += perGroup)
            Propose(decoder, tokenizer, task, roots, prefixes.Skip(start).Take(perGroup).ToList(), samples, sampling, random, states);
        foreach (var root in roots) decoder.Free(root);
        return states;
    }

    /// <summary>Adds each prefix, and each prefix followed by one of K proposed lines, to its problem's states.</summary>
    private static void Propose(GptDecoder decoder, Tokenizer tokenizer, ITask task, int[] roots, List<(int Problem, List<string> Lines)> prefixes,
        int samples, SamplingConfig sampling, Random random, List<List<string>>[] states)
    {
        int context = decoder.Model.Config.Context;
        var fitting = prefixes.Where(p => decoder.Length(roots[p.Problem]) + Text(p.Lines).Length < context).ToList();
        foreach (var (problem, lines) in prefixes) states[problem].Add(lines);
        if (fitting.Count == 0) return;
        var parents = fitting.Select(p => decoder.Fork(roots[p.Problem])).ToArray();
        var encoded = fitting.Select(p => tokenizer.Encode(Text(p.Lines))).ToArray();
        decoder.Extend(parents, encoded.SelectMany(t => t).ToArray(), encoded.Select(t => t.Length).ToArray());
        var forks = new int[fitting.Count * samples];
        int room = 1;
        for (int p = 0; p < fitting.Count; p++)
        {
            for (int k = 0; k < samples; k++) forks[p * samples + k] = decoder.Fork(parents[p]);
            room = Math.Max(room, context - decoder.Length(parents[p]));
        }
        decoder.ProposeLines(forks, sampling, random, room);
        for (int p = 0; p < fitting.Count; p++)
        {
            for (int k = 0; k < samples; k++)
            {
                int fork = forks[p * samples + k];
                var line = tokenizer.Decode(decoder.Generated(fork)).Trim();
                // A line cut short is no state search would value; an empty one adds nothing to its parent.
                if (decoder.Finish(fork) == FinishReason.StopToken && line.Length > 0) states[fitting[p].Problem].Add([.. fitting[p].Lines, line]);
                decoder.Free(fork);
            }
            decoder.Free(parents[p]);
        }
    }

    /// <summary>
    /// Every distinct state of one problem, labelled by the oracle: the line prefixes of each collected state (a finished
    /// one whole, too), and the near misses of each line whose prefix is solvable (drawn with <paramref name="nearMisses"/>;
    /// none when it is null). As one value-only example per state, or <paramref name="paths"/>: one example per path,
    /// each state labelled on the first path that reaches it (<see cref="TrainingExample.LineValues"/>), its label
    /// trained at every token of its last line (<see cref="TrainingExample.ValuesAlongLines"/>), so a path's states train
    /// in one pass. States the context cannot hold are left out.
    /// </summary>
    private static IEnumerable<TrainingExample> Label(ITask task, Problem problem, List<List<string>> collected, int context, Random? nearMisses, bool paths)
    {
        var prompt = task.Prompt(problem);
        var all = new List<List<string>>();
        foreach (var lines in collected)
        {
            all.Add(lines);
            if (nearMisses is null) continue;
            for (int length = 0; length < lines.Count; length++)
            {
                var prefix = lines.Take(length).ToList();
                if (!task.IsSolvable(problem, prefix)) break;
                foreach (var miss in task.Corruptions(problem, prefix, lines[length], nearMisses)) all.Add([.. prefix, miss]);
            }
        }
        var labelled = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<TrainingExample>();
        foreach (var lines in all)
        {
            var finished = lines.Count > 0 && task.IsAnswerLine(lines[^1]);
            // State l: the first l lines (partial); a finished path's last state is itself, read after its end token.
            var states = Enumerable.Range(0, lines.Count + 1).Select(l => (Lines: lines.Take(l).ToList(), Finished: finished && l == lines.Count))
                .Where(state => Fits(prompt, state.Lines, state.Finished, context)).ToList();
            var targets = states.Select(state => labelled.Add(Key(state.Lines, state.Finished))
                ? (task.IsSolvable(problem, state.Lines) ? 1f : 0f) : float.NaN).ToList();
            if (!paths)
            {
                for (int i = 0; i < states.Count; i++)
                    if (!float.IsNaN(targets[i])) examples.Add(Example(prompt, states[i].Lines, states[i].Finished, targets[i]));
                continue;
            }
            if (targets.All(float.IsNaN)) continue;
            var last = states[^1];
            var lineValues = last.Finished ? targets.Take(targets.Count - 1).ToArray() : targets.ToArray();
            float? end = last.Finished && !float.IsNaN(targets[^1]) ? targets[^1] : null;
            examples.Add(new TrainingExample(prompt, Completion(last.Lines, last.Finished), Weight: 0f, ValueTarget: end, Finished: last.Finished,
                LineValues: lineValues, ValuesAlongLines: true));
        }
        return examples;
    }

    /// <summary>One state's example: its target after its last line (or end token), and along that line's tokens.</summary>
    private static TrainingExample Example(string prompt, IReadOnlyList<string> lines, bool finished, float target)
    {
        var completion = Completion(lines, finished);
        if (finished) return new(prompt, completion, Weight: 0f, ValueTarget: target, Finished: true, LineValues: Unlabelled(lines.Count), ValuesAlongLines: true);
        var values = Unlabelled(lines.Count + 1);
        values[^1] = target;
        return new(prompt, completion, Weight: 0f, Finished: false, LineValues: values, ValuesAlongLines: true);
    }

    private static float[] Unlabelled(int count) => Enumerable.Repeat(float.NaN, count).ToArray();

    /// <summary>A partial state's completion is its lines, each followed by the separator; a finished one's ends with its answer line.</summary>
    private static string Completion(IReadOnlyList<string> lines, bool finished) => finished ? string.Join("\n", lines) : Text(lines);

    private static string Key(IReadOnlyList<string> lines, bool finished) => (finished ? "F" : "P") + Completion(lines, finished);

    /// <summary>Whether the state's inputs ([Begin], prompt, completion, and the end token when finished) fit the context.</summary>
    private static bool Fits(string prompt, IReadOnlyList<string> lines, bool finished, int context) =>
        1 + prompt.Length + Completion(lines, finished).Length + (finished ? 1 : 0) <= context;

    /// <summary>The lines of a sampled completion up to and including its answer line; a last line cut short is dropped.</summary>
    private static List<string> Lines(ITask task, string text, bool complete)
    {
        var pieces = text.Split('\n');
        var lines = new List<string>();
        for (int i = 0; i < pieces.Length; i++)
        {
            var line = pieces[i].Trim();
            var whole = i < pieces.Length - 1 || complete;
            if (!whole) break;
            if (line.Length == 0) continue;
            lines.Add(line);
            if (task.IsAnswerLine(line)) break;
        }
        return lines;
    }

    /// <summary>A partial state's completion: each line followed by the separator.</summary>
    private static string Text(IEnumerable<string> lines) => string.Concat(lines.Select(line => line + "\n"));
}
