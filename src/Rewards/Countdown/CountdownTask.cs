using System.Text.Json.Nodes;

namespace Reasoner.Rewards.Countdown;

/// <summary>Difficulty of generated Countdown problems: how many numbers, their range, the target's range.</summary>
/// <param name="Numbers">How many numbers, 3 to 6.</param>
/// <param name="MaxNumber">Game of 24 draws from 1-13; TinyZero's Countdown from 1-99.</param>
public sealed record CountdownOptions(int Numbers = 4, int MinNumber = 1, int MaxNumber = 13, int MinTarget = 1, int MaxTarget = 100)
{
    public const int MaxMagnitude = 1_000_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Require(Numbers is >= 3 and <= 6, "numbers", Numbers, "3 to 6");
        Require(MinNumber is >= 1 and <= MaxMagnitude, "min-number", MinNumber, $"1 to {MaxMagnitude}");
        Require(MaxNumber >= MinNumber && MaxNumber <= MaxMagnitude, "max-number", MaxNumber, $"{MinNumber} to {MaxMagnitude}");
        Require(MinTarget is >= 0 and <= MaxMagnitude, "min-target", MinTarget, $"0 to {MaxMagnitude}");
        Require(MaxTarget >= MinTarget && MaxTarget <= MaxMagnitude, "max-target", MaxTarget, $"{MinTarget} to {MaxMagnitude}");
    }

    private static void Require(bool ok, string name, int value, string range)
    {
        if (!ok)
        {
            throw new ArgumentException($"countdown option {name} = {value} is out of range ({range})");
        }
    }
}

/// <summary>
/// Countdown: reach the target from a multiset of numbers, each used once, with + - * / in exact rational arithmetic.
/// Prompt <c>4 4 6 8 -> 24</c>; steps <c>4 + 8 = 12 (left: 4 6 12)</c>; last line <c>Answer: (6 - 4) * (4 + 8) = 24</c>.
/// </summary>
public sealed class CountdownTask : ITask
{
    /// <summary>Expanded states allowed when testing a candidate for solvability; beyond it the candidate is redrawn.</summary>
    private const long GenerationBudget = 20_000;

    /// <summary>Every character of prompts, steps and answers (digits, operators, "left:", "Answer:", "->").</summary>
    internal const string AlphabetChars = "\n ()*+-/0123456789:=>Aeflnrstw";

    private readonly CountdownOptions _options;
    private readonly CountdownReachability _reachability = new();

    public CountdownTask(CountdownOptions? options = null)
    {
        _options = options ?? new CountdownOptions();
        _options.Validate();
    }

    public string Name => "countdown";

    public string Alphabet => AlphabetChars;

    /// <summary>
    /// Draws numbers and a target uniformly, keeping those the expert solves. The split is a hash of the multiset and
    /// target; Game-of-24 test puzzles never enter the train split. <see cref="CountdownGenerator"/> says how it stays fast.
    /// </summary>
    public IReadOnlyList<Problem> Generate(Split split, int count, int seed) =>
        new CountdownGenerator(_options, Name, GenerationBudget).Generate(split, count, seed);

    public string Prompt(Problem problem) => PromptOf(As(problem));

    internal static string PromptOf(CountdownProblem problem) => $"{string.Join(' ', problem.Numbers)} -> {problem.Target}\n";

    public IReadOnlyList<string> Solve(Problem problem) => SolveCountdown(As(problem));

    /// <summary>
    /// The expert's solution: the solver's search with its move order shuffled by a seed taken from the problem's
    /// numbers and target, so it is the same for a problem on every run and machine, and over many problems the
    /// expert's first steps spread over every step that can reach the target.
    /// </summary>
    internal static IReadOnlyList<string> SolveCountdown(CountdownProblem problem) => CountdownSolver.Lines(SolutionOf(problem), problem.Target);

    private static IReadOnlyList<CountdownSolver.Step> SolutionOf(CountdownProblem problem) =>
        CountdownSolver.Solve(problem.Numbers, problem.Target, CountdownSolver.NoBudget, new Random(SolutionSeed(problem)))
            ?? throw new ArgumentException($"problem {problem.Id} has no solution");

    /// <summary>A dead end that leaves the expert's own solution (<see cref="CountdownSolver.DeadEnd"/>).</summary>
    internal static DeadEnd? DeadEndOf(CountdownProblem problem, CountdownReachability reachability, Random random) =>
        CountdownSolver.DeadEnd(problem.Numbers, SolutionOf(problem), problem.Target, reachability, random);

    /// <summary>FNV-1a over the numbers and the target (string.GetHashCode differs between processes).</summary>
    private static int SolutionSeed(CountdownProblem problem)
    {
        var hash = 2166136261u;
        foreach (var value in problem.Numbers.Append(problem.Target))
        {
            hash = (hash ^ (uint)value) * 16777619u;
        }
        return (int)(hash & int.MaxValue);
    }

    public int MaxSteps(Problem problem) => As(problem).Numbers.Count;

    public bool IsAnswerLine(string line) => CompletionLines.IsAnswerLine(line);

    public ParsedCompletion Parse(string completion) => CountdownVerifier.Parse(completion);

    public Verdict Verify(Problem problem, string completion, RewardConfig rewards) => CountdownVerifier.Verify(As(problem), completion, rewards);

    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) =>
        CountdownVerifier.IsSolvable(As(problem), string.Join('\n', steps), _reachability);

    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) =>
        CountdownCorruptions.Of(As(problem), steps, step, random);

    public DeadEnd? DeadEnd(Problem problem, Random random) => DeadEndOf(As(problem), _reachability, random);

    public StepClaim? Claim(string line) => ClaimOf(line);

    public IReadOnlyList<string> Drills(Problem problem) => DrillsOf(As(problem));

    internal static IReadOnlyList<string> DrillsOf(CountdownProblem problem) =>
        CountdownSolver.Drills(problem.Numbers, SolutionOf(problem)).Select(step => step.ToString()).ToList();

    public string? Remaining(string prompt, string line) => CountdownVerifier.Remaining(prompt, line);

    public IReadOnlyList<RemainingProblem> RemainingDrills(Problem problem) => RemainingDrillsOf(As(problem), _reachability);

    /// <summary>The distinct problems the drills' steps leave, labelled by the solver (can the numbers left still make the target).</summary>
    internal static IReadOnlyList<RemainingProblem> RemainingDrillsOf(CountdownProblem problem, CountdownReachability reachability)
    {
        var target = Rational.FromInteger(problem.Target);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var drills = new List<RemainingProblem>();
        foreach (var step in CountdownSolver.Drills(problem.Numbers, SolutionOf(problem)))
        {
            var left = step.NumbersLeft.Select(n => n.Value).ToList();
            var prompt = CountdownVerifier.Prompt(left.Order(), target);
            if (seen.Add(prompt)) drills.Add(new RemainingProblem(prompt, reachability.CanReach(left, target)));
        }
        return drills;
    }

    /// <summary><c>a op b = c (left: ...)</c> claims "a op b =" computes " c"; any other line claims nothing.</summary>
    internal static StepClaim? ClaimOf(string line)
    {
        if (line.Length > CompletionLines.MaxLineLength) return null;
        int equals = line.IndexOf('='), left = line.IndexOf(" (left:", StringComparison.Ordinal);
        if (equals <= 0 || left <= equals + 1 || line.IndexOf('=', equals + 1) >= 0) return null;
        var question = line[..(equals + 1)].Trim();
        var answer = line[(equals + 1)..left].TrimEnd();
        return question.Length > 1 && answer.Trim().Length > 0 ? new StepClaim(question, answer) : null;
    }

    public JsonObject ToJson(Problem problem) => ToJsonOf(As(problem));

    internal static JsonObject ToJsonOf(CountdownProblem problem) => new()
    {
        ["numbers"] = new JsonArray(problem.Numbers.Select(n => (JsonNode)n).ToArray()),
        ["target"] = problem.Target,
    };

    public Problem FromJson(JsonObject json) => FromJsonOf(json, Name, minNumbers: 2, maxNumbers: 6);

    /// <summary>Reads <c>{"numbers": [..], "target": t}</c>, throwing <see cref="FormatException"/> naming the bad field.</summary>
    internal static CountdownProblem FromJsonOf(JsonObject json, string idPrefix, int minNumbers, int maxNumbers)
    {
        if (json["numbers"] is not JsonArray array || array.Count < minNumbers || array.Count > maxNumbers)
        {
            throw new FormatException($"problem field \"numbers\" must be an array of {minNumbers} to {maxNumbers} integers");
        }
        var numbers = array.Select(node => ReadInt(node, "numbers")).ToArray();
        var target = ReadInt(json["target"], "target");
        return CountdownProblem.Create(idPrefix, numbers, target);
    }

    private static int ReadInt(JsonNode? node, string field)
    {
        if (node is JsonValue value && value.TryGetValue<int>(out var number) && number is >= 0 and <= CountdownOptions.MaxMagnitude)
        {
            return number;
        }
        throw new FormatException($"problem field \"{field}\" must hold integers from 0 to {CountdownOptions.MaxMagnitude}");
    }

    private static CountdownProblem As(Problem problem) => problem as CountdownProblem
        ?? throw new ArgumentException($"problem {problem.Id} is not a Countdown problem");
}
