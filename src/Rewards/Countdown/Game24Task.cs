using System.Text.Json.Nodes;

namespace Reasoner.Rewards.Countdown;

/// <summary>
/// Game of 24: Countdown with four numbers and target 24, over the Tree-of-Thoughts puzzle set. The test split is
/// ranks 901-1000 in rank order (the ToT benchmark); the train split is the other 1,262, shuffled by the seed.
/// </summary>
public sealed class Game24Task : ITask
{
    private readonly CountdownReachability _reachability = new();

    public string Name => "game24";

    public string Alphabet => CountdownTask.AlphabetChars;

    public IReadOnlyList<Problem> Generate(Split split, int count, int seed)
    {
        var puzzles = Game24Puzzles.All.Where(p => Game24Puzzles.IsTest(p) == (split == Split.Test)).ToList();
        if (count < 0 || count > puzzles.Count)
        {
            throw new ArgumentException($"game24 has {puzzles.Count} {split} puzzles; {count} were asked for");
        }
        if (split == Split.Train)
        {
            new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(puzzles));
        }
        return puzzles.Take(count).Select(ProblemOf).ToList();
    }

    private static CountdownProblem ProblemOf(Game24Puzzles.Puzzle puzzle) =>
        new($"game24-{puzzle.Rank}", puzzle.Numbers, Game24Puzzles.Target);

    public string Prompt(Problem problem) => CountdownTask.PromptOf(As(problem));

    public IReadOnlyList<string> Solve(Problem problem) => CountdownTask.SolveCountdown(As(problem));

    public int MaxSteps(Problem problem) => As(problem).Numbers.Count;

    public bool IsAnswerLine(string line) => CompletionLines.IsAnswerLine(line);

    public ParsedCompletion Parse(string completion) => CountdownVerifier.Parse(completion);

    public Verdict Verify(Problem problem, string completion, RewardConfig rewards) => CountdownVerifier.Verify(As(problem), completion, rewards);

    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) =>
        CountdownVerifier.IsSolvable(As(problem), string.Join('\n', steps), _reachability);

    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) =>
        CountdownCorruptions.Of(As(problem), steps, step, random);

    public DeadEnd? DeadEnd(Problem problem, Random random) => CountdownTask.DeadEndOf(As(problem), _reachability, random);

    public StepClaim? Claim(string line) => CountdownTask.ClaimOf(line);

    public IReadOnlyList<string> Drills(Problem problem) => CountdownTask.DrillsOf(As(problem));

    public string? Remaining(string prompt, string line) => CountdownVerifier.Remaining(prompt, line);

    public IReadOnlyList<RemainingProblem> RemainingDrills(Problem problem) => CountdownTask.RemainingDrillsOf(As(problem), _reachability);

    public JsonObject ToJson(Problem problem) => CountdownTask.ToJsonOf(As(problem));

    /// <summary>A puzzle of the set keeps its rank as id (<c>game24-901</c>); any other four numbers are accepted too.</summary>
    public Problem FromJson(JsonObject json)
    {
        var problem = CountdownTask.FromJsonOf(json, Name, minNumbers: 4, maxNumbers: 4);
        if (problem.Target != Game24Puzzles.Target)
        {
            throw new FormatException($"problem field \"target\" must be {Game24Puzzles.Target} for game24");
        }
        var known = Game24Puzzles.All.FirstOrDefault(p => p.Numbers.SequenceEqual(problem.Numbers));
        return known is null ? problem : ProblemOf(known);
    }

    private static CountdownProblem As(Problem problem) => problem as CountdownProblem
        ?? throw new ArgumentException($"problem {problem.Id} is not a Game-of-24 problem");
}
