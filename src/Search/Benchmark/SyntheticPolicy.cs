using System.Text.Json.Nodes;
using Reasoner.Rewards;

namespace Reasoner.Search.Benchmark;

/// <summary>A problem of the synthetic task (they differ only by name).</summary>
internal sealed record SyntheticProblem(string Id) : Problem(Id);

/// <summary>
/// A task with no content, for timing the search machinery alone: steps "s0".."s{b-1}", and at the last level
/// answer lines "Answer: {i}"; the all-zero path is the correct one.
/// </summary>
internal sealed class SyntheticTask(int depth) : ITask
{
    public string Name => "synthetic";
    public string Alphabet => "\n :Aenrsw0123456789";
    public IReadOnlyList<Problem> Generate(Split split, int count, int seed) =>
        Enumerable.Range(0, count).Select(i => (Problem)new SyntheticProblem($"synthetic-{split}-{seed}-{i}")).ToList();
    public string Prompt(Problem problem) => $"{problem.Id}\n";
    public IReadOnlyList<string> Solve(Problem problem) => [.. Enumerable.Repeat("s0", depth - 1), "Answer: 0"];
    public int MaxSteps(Problem problem) => depth;
    public bool IsAnswerLine(string line) => line.StartsWith("Answer: ", StringComparison.Ordinal);

    public ParsedCompletion Parse(string completion)
    {
        var lines = completion.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 && IsAnswerLine(lines[^1])
            ? new ParsedCompletion(lines[..^1], lines[^1]["Answer: ".Length..])
            : new ParsedCompletion(lines, null);
    }

    public Verdict Verify(Problem problem, string completion, RewardConfig rewards)
    {
        var parsed = Parse(completion);
        var correct = parsed.Answer == "0" && parsed.Steps.Count == depth - 1 && parsed.Steps.All(s => s == "s0");
        return new Verdict(correct, parsed.Answer is not null, parsed.Steps.Select(s => s == "s0").ToList(), correct ? 1 : 0, correct ? null : "not the all-zero path");
    }

    /// <summary>The all-zero path so far (and, finished, the verdict).</summary>
    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) =>
        steps.Count > 0 && IsAnswerLine(steps[^1])
            ? Verify(problem, string.Join('\n', steps), new RewardConfig()).Correct
            : steps.Count < depth && steps.All(s => s == "s0");

    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) =>
        step == "s0" ? ["s1"] : step == "Answer: 0" ? ["Answer: 1"] : [];

    public JsonObject ToJson(Problem problem) => new() { ["id"] = problem.Id };
    public Problem FromJson(JsonObject json) => new SyntheticProblem((string?)json["id"] ?? throw new FormatException("problem field \"id\" is missing"));
}

/// <summary>
/// The synthetic policy: child i of any state has log-probability -0.5 (i + 1) and costs
/// <paramref name="tokensPerStep"/> tokens; the last level's steps are answer lines; values are a fixed hash of
/// the path. Light on allocation, so timings measure the search.
/// </summary>
internal sealed class SyntheticPolicy(int branching, int depth, int tokensPerStep) : IStepProposer, IValueEstimator
{
    readonly Dictionary<long, (int Depth, uint Path)> live = [];
    long nextId;

    public RootState Begin(Problem problem, string prompt)
    {
        live[nextId] = (0, 2166136261);
        return new RootState(new StateHandle(nextId++), prompt.Length);
    }

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
    {
        var random = new Random(request.Seed);
        var result = new IReadOnlyList<StepProposal>[states.Count];
        var tokens = Math.Min(tokensPerStep, request.MaxStepTokens);
        for (var s = 0; s < states.Count; s++)
        {
            var (stateDepth, path) = live[states[s].Id];
            var proposals = new StepProposal[request.Temperature <= 0 ? Math.Min(request.Count, branching) : request.Count];
            for (var k = 0; k < proposals.Length; k++)
            {
                var i = request.Temperature <= 0 ? k : random.Next(branching);
                // FNV-1a over the child indices: a stable identity of the path for the value.
                live[nextId] = (stateDepth + 1, (path ^ (uint)i) * 16777619);
                var text = stateDepth + 1 == depth ? $"Answer: {i}" : $"s{i}";
                proposals[k] = new StepProposal(text, -0.5 * (i + 1), tokens, tokens, new StateHandle(nextId++));
            }
            result[s] = proposals;
        }
        return result;
    }

    public void Release(StateHandle state) => live.Remove(state.Id);

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        var values = new float[states.Count];
        for (var i = 0; i < values.Length; i++) values[i] = live[states[i].Handle.Id].Path % 1000 / 999f;
        return values;
    }
}
