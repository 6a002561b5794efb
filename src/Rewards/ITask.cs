using System.Text.Json.Nodes;

namespace Reasoner.Rewards;

/// <summary>Which problems: training problems never include held-out test problems (by construction and by test).</summary>
public enum Split { Train, Test }

/// <summary>One problem of a task. Each task derives its own record (Countdown: numbers and target).</summary>
public abstract record Problem(string Id);

/// <summary>A completion split into its steps (one a line) and its final answer line, if it has one.</summary>
/// <param name="Steps">The lines before the answer line, in order, trimmed.</param>
/// <param name="Answer">The canonical final answer (for majority voting), or null when there is no answer line.</param>
public sealed record ParsedCompletion(IReadOnlyList<string> Steps, string? Answer);

/// <summary>
/// The verifier's judgement of a completion. <see cref="StepValid"/> has one entry per step of the completion
/// (the process reward); <see cref="Reason"/> is a short human reason when it is not correct.
/// </summary>
public sealed record Verdict(bool Correct, bool FormatOk, IReadOnlyList<bool> StepValid, double Reward, string? Reason);

/// <summary>
/// A task whose answers can be checked exactly. Search depends on this interface only; the policy sees
/// <see cref="Prompt"/> followed by steps, one a line, the last of them an answer line.
/// Every method is total on model output: it never throws on a completion, whatever its text.
/// </summary>
public interface ITask
{
    /// <summary>The task's name as the CLI spells it ("countdown", "game24", "arithmetic", "sudoku").</summary>
    string Name { get; }

    /// <summary>Every character a prompt, a step or an answer of this task can contain (the tokenizer's alphabet).</summary>
    string Alphabet { get; }

    /// <summary>Solvable problems of a split, deterministic per seed, no duplicates within the split.</summary>
    IReadOnlyList<Problem> Generate(Split split, int count, int seed);

    /// <summary>What the policy sees before its first step; ends with a newline.</summary>
    string Prompt(Problem problem);

    /// <summary>The expert's solution, one step a line, the last line the answer line.</summary>
    IReadOnlyList<string> Solve(Problem problem);

    /// <summary>The most steps a solution of this problem takes, answer line included (depth for tree search).</summary>
    int MaxSteps(Problem problem);

    /// <summary>True when this line is an answer line: a trajectory ends with it.</summary>
    bool IsAnswerLine(string line);

    /// <summary>Splits a completion into steps and the final answer. Never throws.</summary>
    ParsedCompletion Parse(string completion);

    /// <summary>Checks a completion exactly and scores it with <paramref name="rewards"/>. Never throws, never rewards an invalid answer.</summary>
    Verdict Verify(Problem problem, string completion, RewardConfig rewards);

    /// <summary>
    /// The exact state oracle: true when every step of <paramref name="steps"/> is valid and the state can still end
    /// correct; for a finished state (its last line an answer line), the verifier's verdict. Never true for an invalid
    /// state, total on any text, fast (memoised where it looks ahead). It labels value targets in imitation, where the
    /// expert may label states, and measures value models on held-out problems; search and self-improvement never call it.
    /// </summary>
    bool IsSolvable(Problem problem, IReadOnlyList<string> steps);

    /// <summary>
    /// Near misses of <paramref name="step"/>, a valid next line after <paramref name="steps"/>: one line of each kind of
    /// slip the task knows (wrong arithmetic, a number that is not available, a false claim of the target, ...), drawn
    /// with <paramref name="random"/>. Negatives for a value model that must read a step; a near miss may happen to be
    /// valid, so label them with <see cref="IsSolvable"/>. Empty when the step is not in the task's own form.
    /// </summary>
    IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random);

    /// <summary>
    /// A dead end walked honestly, for imitation: the first steps of the expert's solution, then one valid step after
    /// which the target can no longer be reached (the mistake), then valid steps computed correctly to the end and an
    /// answer line that states what they reached. A policy that imitates what follows the mistake learns to compute its
    /// steps rather than claim the target, so its failures read as failures: to a value model, to search. Drawn with
    /// <paramref name="random"/>; null when the task has none (its steps are forced, or a wrong one cannot go on).
    /// </summary>
    DeadEnd? DeadEnd(Problem problem, Random random) => null;

    /// <summary>
    /// The claim a step line makes that can be checked with nothing else in view: the computation it states and the
    /// result it writes (Countdown: <c>7 + 9 =</c> and <c> 16</c>). Null for a line without one (an answer line, text
    /// not in the step's form) and for tasks whose steps make no such claim. Total on any text.
    /// </summary>
    StepClaim? Claim(string line) => null;

    /// <summary>
    /// Drills for a step checker: valid step lines, each computed correctly, from the states a search of this problem
    /// meets first (the problem itself and every state one step from it) and the states along the expert's solution.
    /// Empty for tasks without <see cref="Claim"/>s.
    /// </summary>
    IReadOnlyList<string> Drills(Problem problem) => [];

    /// <summary>
    /// What is left to solve after a step line, written as this task writes a prompt (Countdown: the numbers after
    /// "(left:", in ascending order, and the target of <paramref name="prompt"/>: <c>4 10 30 -> 24</c> and a newline), so a value
    /// network can judge a state by the problem it leaves, with nothing else in view, as Tree of Thoughts' value prompt
    /// judges the numbers left. Null for an answer line, for a line that does not say what is left, and for tasks whose
    /// lines never do. Total on any text.
    /// </summary>
    string? Remaining(string prompt, string line) => null;

    /// <summary>
    /// The problems left by the lines of <see cref="Drills"/> (<see cref="Remaining"/>'s form, distinct), each with whether it
    /// can still be solved: the task's exact solver labels them, so these are imitation data (the expert labels states),
    /// never asked for in search or self-improvement. Empty for tasks without <see cref="Remaining"/>.
    /// </summary>
    IReadOnlyList<RemainingProblem> RemainingDrills(Problem problem) => [];

    /// <summary>The problem as the task's own JSON (what <c>reasoner tasks sample</c> prints under "problem").</summary>
    JsonObject ToJson(Problem problem);

    /// <summary>Reads a problem back from <see cref="ToJson"/>'s form; throws <see cref="FormatException"/> naming the bad field.</summary>
    Problem FromJson(JsonObject json);
}

/// <summary>A trajectory that fails honestly (<see cref="ITask.DeadEnd"/>): its lines, answer line last, and the index of
/// the mistake, the first line whose state cannot reach the target; the lines after it compute correctly.</summary>
public sealed record DeadEnd(IReadOnlyList<string> Lines, int Mistake);

/// <summary>What a step line claims (<see cref="ITask.Claim"/>): <paramref name="Question"/> is what it computes,
/// <paramref name="Answer"/> the result it writes, so a checker reads the question and scores the answer.</summary>
public sealed record StepClaim(string Question, string Answer);

/// <summary>A problem a state leaves (<see cref="ITask.Remaining"/>'s form) and whether it can still be solved.</summary>
public sealed record RemainingProblem(string Prompt, bool Solvable);

/// <summary>
/// How a verdict becomes a reward. The defaults are outcome only: 1 for a correct answer, 0 otherwise.
/// </summary>
/// <param name="FormatBonus">Reward for a well-formed but wrong answer (TinyZero uses 0.1).</param>
/// <param name="ProcessWeight">Weight of the fraction of valid steps, added to the outcome reward.</param>
/// <param name="LengthPenalty">Subtracted per step beyond <c>MaxSteps</c>.</param>
public sealed record RewardConfig(double FormatBonus = 0, double ProcessWeight = 0, double LengthPenalty = 0);
