using FsCheck;
using FsCheck.Fluent;
using Reasoner.Rewards.Arithmetic;
using Reasoner.Rewards.Countdown;
using Reasoner.Rewards.Sudoku;

namespace Reasoner.Rewards.Tests;

/// <summary>
/// Model output is adversarial: random text and near-misses of expert solutions must never throw, never hang and
/// never be marked correct. Bounded case counts keep the suite fast.
/// </summary>
public class VerifierPropertyTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(150);

    /// <summary>Unicode look-alikes of the characters the tasks use: minus, times, division, fullwidth digits, other spaces.</summary>
    private const string LookAlikes = "−×÷＋＝（）０１２３４６８９\u00a0\u2009\u3000\t\r٤";

    public static TheoryData<string> Tasks => new() { "countdown4", "countdown5", "game24", "add", "multiply", "sudoku4", "sudoku9" };

    private static ITask Build(string name) => name switch
    {
        "countdown4" => new CountdownTask(),
        "countdown5" => new CountdownTask(new CountdownOptions(5, 1, 25, 10, 200)),
        "game24" => new Game24Task(),
        "add" => new ArithmeticTask(new ArithmeticOptions("add", 6)),
        "multiply" => new ArithmeticTask(new ArithmeticOptions("multiply", 4, 3)),
        "sudoku4" => new SudokuTask(),
        _ => new SudokuTask(new SudokuOptions(9, 45)),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Random_text_is_never_correct_and_never_throws(string name)
    {
        var task = Build(name);
        var problems = task.Generate(Split.Train, 5, seed: 1);
        var characters = (task.Alphabet + LookAlikes + "\n\n\n").ToCharArray();
        var text = Gen.ArrayOf(Gen.Elements(characters)).Select(chars => new string(chars));
        var withAnswer = text.Select(t => t + "\nAnswer: " + t);
        Prop.ForAll(Arb.From(Gen.OneOf(text, withAnswer)), completion => problems.All(problem =>
        {
            var verdict = task.Verify(problem, completion, new RewardConfig(0.1, 0.5, 0.01));
            task.Parse(completion);
            return !verdict.Correct && verdict.Reason is not null && verdict.Reward < 1;
        })).Check(Cases);
    }

    /// <summary>One edit to an expert solution that must make it wrong: a different digit, a look-alike, a duplicated or a lost line.</summary>
    private static string? Mutate(string solution, int kind, int seed)
    {
        var random = new Random(seed);
        var lines = solution.Split('\n').ToList();
        switch (kind)
        {
            case 0:
            case 1:
                var digits = Enumerable.Range(0, solution.Length).Where(i => char.IsAsciiDigit(solution[i])).ToArray();
                var at = digits[random.Next(digits.Length)];
                var other = (char)('0' + (solution[at] - '0' + 1 + random.Next(9)) % 10);
                return kind == 0 ? solution[..at] + other + solution[(at + 1)..] : solution[..at] + LookAlikes[random.Next(14)] + solution[(at + 1)..];
            case 2:
                var line = random.Next(lines.Count);
                lines.Insert(line, lines[line]);
                return string.Join('\n', lines);
            default:
                // Losing the answer line, or the last step: the working no longer reaches the answer.
                lines.RemoveAt(lines.Count - 1 - random.Next(Math.Min(2, lines.Count)));
                return lines.Count <= 1 && kind == 3 ? null : string.Join('\n', lines);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Near_misses_of_expert_solutions_are_never_correct(string name)
    {
        var task = Build(name);
        var problems = task.Generate(Split.Train, 20, seed: 2);
        var solutions = problems.Select(p => string.Join('\n', task.Solve(p))).ToArray();
        var cases = Gen.Choose(0, problems.Count - 1).SelectMany(i => Gen.Choose(0, 3), (i, kind) => (i, kind))
            .SelectMany(_ => Gen.Choose(0, int.MaxValue), (pair, seed) => (pair.i, pair.kind, seed));
        Prop.ForAll(Arb.From(cases), c =>
        {
            var mutated = Mutate(solutions[c.i], c.kind, c.seed);
            // A one-step solution without its answer line is just text; a one-line solution without it is empty.
            return mutated is null || !task.Verify(problems[c.i], mutated, new RewardConfig()).Correct;
        }).Check(Cases);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Blank_lines_and_surrounding_spaces_do_not_change_the_verdict(string name)
    {
        var task = Build(name);
        var problem = task.Generate(Split.Train, 1, seed: 3)[0];
        var solution = task.Solve(problem);
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 3), solution.Count)), padding =>
        {
            var padded = string.Join('\n', solution.Select((line, i) => new string(' ', padding[i]) + line + new string(' ', padding[i]) + (padding[i] == 3 ? "\n" : "")));
            return task.Verify(problem, padded, new RewardConfig()).Correct;
        }).Check(Cases);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Huge_inputs_are_rejected_quickly(string name)
    {
        var task = Build(name);
        var problem = task.Generate(Split.Train, 1, seed: 4)[0];
        var solution = string.Join('\n', task.Solve(problem));
        var longLine = new string('9', 200_000);
        var manyLines = string.Concat(Enumerable.Repeat(solution.Split('\n')[0] + "\n", 20_000));
        var nested = new string('(', 50_000) + new string(')', 50_000);
        foreach (var completion in new[] { longLine, longLine + "\n" + solution, solution + longLine, manyLines + solution,
                     "Answer: " + longLine, "Answer: " + nested + " = 24", solution.Replace("\n", "\n" + longLine + "\n"), "" })
        {
            var verdict = task.Verify(problem, completion, new RewardConfig(0.1, 0.5, 0.01));
            Assert.False(verdict.Correct);
            Assert.True(double.IsFinite(verdict.Reward));
        }
    }
}
