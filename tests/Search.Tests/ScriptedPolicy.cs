using System.Text.Json.Nodes;
using Reasoner.Rewards;

namespace Reasoner.Search.Tests;

/// <summary>A task whose answer lines start with "Answer: "; only what search reads is meaningful.</summary>
internal sealed class LineTask(int maxSteps) : ITask
{
    public string Name => "lines";
    public string Alphabet => "abcdefghijklmnopqrstuvwxyz0123456789:. \n";
    public IReadOnlyList<Problem> Generate(Split split, int count, int seed) => [.. Enumerable.Range(0, count).Select(i => new LineProblem($"{split}-{seed}-{i}"))];
    public string Prompt(Problem problem) => $"{problem.Id}\n";
    public IReadOnlyList<string> Solve(Problem problem) => ["Answer: 0"];
    public int MaxSteps(Problem problem) => maxSteps;
    public bool IsAnswerLine(string line) => line.StartsWith("Answer: ", StringComparison.Ordinal);

    public ParsedCompletion Parse(string completion)
    {
        var lines = completion.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        if (lines.Count > 0 && IsAnswerLine(lines[^1])) return new ParsedCompletion(lines[..^1], lines[^1]["Answer: ".Length..]);
        return new ParsedCompletion(lines, null);
    }

    public Verdict Verify(Problem problem, string completion, RewardConfig rewards) =>
        throw new InvalidOperationException("Search must never call the verifier.");

    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) =>
        throw new InvalidOperationException("Search must never call the state oracle.");

    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) =>
        throw new InvalidOperationException("Search must never ask for corrupted steps.");

    public JsonObject ToJson(Problem problem) => new() { ["id"] = problem.Id };
    public Problem FromJson(JsonObject json) => new LineProblem((string)json["id"]!);
}

internal sealed record LineProblem(string Id) : Problem(Id);

/// <summary>
/// A policy scripted as a function from a prefix of steps to its possible next steps with their log-probs.
/// Greedy takes the most likely steps; a temperature samples with replacement from softmax(logProb / T).
/// It checks the handle contract: no use after release, no double release, and it counts what is live.
/// </summary>
internal sealed class ScriptedProposer(Func<IReadOnlyList<string>, IReadOnlyList<(string Text, double LogProb)>> children) : IStepProposer
{
    readonly Dictionary<long, IReadOnlyList<string>> live = [];
    long nextId;

    public int Live => live.Count;
    public List<int> BatchSizes { get; } = [];

    public RootState Begin(Problem problem, string prompt)
    {
        live[nextId] = [];
        return new RootState(new StateHandle(nextId++), prompt.Length);
    }

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
    {
        BatchSizes.Add(states.Count);
        var random = new Random(request.Seed);
        var result = new List<IReadOnlyList<StepProposal>>();
        foreach (var state in states)
        {
            if (!live.TryGetValue(state.Id, out var prefix)) throw new InvalidOperationException($"Handle {state.Id} used after release.");
            var options = children(prefix);
            var picks = new List<(string Text, double LogProb)>();
            if (options.Count > 0 && request.Temperature <= 0)
                picks.AddRange(options.OrderByDescending(o => o.LogProb).Take(request.Count));
            else if (options.Count > 0)
            {
                var weights = options.Select(o => Math.Exp(o.LogProb / request.Temperature)).ToArray();
                for (var k = 0; k < request.Count; k++)
                {
                    var u = random.NextDouble() * weights.Sum();
                    var i = 0;
                    while (i < weights.Length - 1 && (u -= weights[i]) >= 0) i++;
                    picks.Add(options[i]);
                }
            }
            result.Add(picks.Select(p =>
            {
                var tokens = Math.Min(p.Text.Length + 1, request.MaxStepTokens);
                live[nextId] = [.. prefix, p.Text];
                return new StepProposal(p.Text, p.LogProb, tokens, tokens, new StateHandle(nextId++));
            }).ToList());
        }
        return result;
    }

    public void Release(StateHandle state)
    {
        if (!live.Remove(state.Id)) throw new InvalidOperationException($"Handle {state.Id} released twice or never issued.");
    }
}

/// <summary>A value model scripted as a function of the steps.</summary>
internal sealed class ScriptedValue(Func<IReadOnlyList<string>, float> value) : IValueEstimator
{
    public List<int> BatchSizes { get; } = [];

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        BatchSizes.Add(states.Count);
        return states.Select(s => value(s.Steps)).ToList();
    }
}

/// <summary>Scripted trees used across the tests.</summary>
internal static class Scripts
{
    public static readonly LineProblem Problem = new("p0");

    /// <summary>
    /// Every node below depth <paramref name="depth"/> - 1 has <paramref name="width"/> children "d{depth}c{i}" with
    /// decreasing log-probs; the last level's children are answer lines "Answer: {i}".
    /// </summary>
    public static Func<IReadOnlyList<string>, IReadOnlyList<(string, double)>> Uniform(int width, int depth) =>
        prefix => prefix.Count >= depth ? []
            : Enumerable.Range(0, width).Select(i => (
                prefix.Count == depth - 1 ? $"Answer: {(prefix.Count == 0 ? 0 : int.Parse(prefix[^1][(prefix[^1].IndexOf('c') + 1)..]))}{i}" : $"d{prefix.Count}c{i}",
                -0.5 * i - 0.1)).ToList();

    /// <summary>A value that prefers child index 1 at every level (so the policy's favourite is not the best).</summary>
    public static float PreferOnes(IReadOnlyList<string> steps) =>
        steps.Count == 0 ? 0.5f : steps.Count(s => s.EndsWith('1')) / (float)steps.Count * 0.9f + 0.05f;
}
