using FsCheck;
using FsCheck.Fluent;
using Reasoner.Rewards.Arithmetic;
using Reasoner.Rewards.Countdown;
using Reasoner.Rewards.Sudoku;

namespace Reasoner.Rewards.Tests;

/// <summary>
/// The state oracle of every task: expert prefixes are solvable and extend to a verified solution; near misses of the
/// expert's steps are not; garbage never throws and is never solvable; a finished state is solvable exactly when it
/// verifies. (Countdown's look-ahead is checked against brute force in CountdownOracleTests.)
/// </summary>
public class StateOracleTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(100);

    public static TheoryData<string> Tasks => new() { "countdown4", "game24", "add", "multiply", "sudoku4", "sudoku9" };

    private static ITask Build(string name) => name switch
    {
        "countdown4" => new CountdownTask(),
        "game24" => new Game24Task(),
        "add" => new ArithmeticTask(new ArithmeticOptions("add", 5)),
        "multiply" => new ArithmeticTask(new ArithmeticOptions("multiply", 3, 2)),
        "sudoku4" => new SudokuTask(),
        _ => new SudokuTask(new SudokuOptions(9, 40)),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Expert_prefixes_are_solvable_and_near_misses_of_their_next_step_are_not(string name)
    {
        var task = Build(name);
        var random = new Random(1);
        int misses = 0, solvable = 0;
        foreach (var problem in task.Generate(Split.Train, 15, seed: 3))
        {
            var solution = task.Solve(problem);
            for (var i = 0; i <= solution.Count; i++) Assert.True(task.IsSolvable(problem, solution.Take(i).ToList()), $"{problem.Id}: expert prefix {i}");
            for (var i = 0; i < solution.Count; i++)
            {
                var prefix = solution.Take(i).ToList();
                var corruptions = task.Corruptions(problem, prefix, solution[i], random);
                Assert.NotEmpty(corruptions);
                foreach (var corrupted in corruptions)
                {
                    Assert.NotEqual(solution[i], corrupted);
                    misses++;
                    var state = prefix.Append(corrupted).ToList();
                    if (!task.IsSolvable(problem, state)) continue;
                    solvable++;
                    // A near miss called solvable must really extend to a verified solution (Countdown's "5 + 8" may be legal).
                    Assert.True(name.StartsWith("countdown", StringComparison.Ordinal) || name == "game24", $"{problem.Id}: near miss '{corrupted}' called solvable");
                }
            }
        }
        Assert.InRange(solvable, 0, misses / 20);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void A_finished_state_is_solvable_exactly_when_it_verifies(string name)
    {
        var task = Build(name);
        var random = new Random(2);
        foreach (var problem in task.Generate(Split.Train, 10, seed: 4))
        {
            var solution = task.Solve(problem);
            var states = new List<IReadOnlyList<string>> { solution, solution.Take(solution.Count - 1).Append(task.Corruptions(problem, solution.Take(solution.Count - 1).ToList(), solution[^1], random)[0]).ToList() };
            states.AddRange(task.Corruptions(problem, [], solution[0], random).Select(first => (IReadOnlyList<string>)[first, .. solution.Skip(1)]));
            foreach (var state in states)
                Assert.Equal(task.Verify(problem, string.Join('\n', state), new RewardConfig()).Correct, task.IsSolvable(problem, state));
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Arithmetic_and_sudoku_prefixes_called_solvable_extend_to_a_verified_solution(string name)
    {
        var task = Build(name);
        if (task is CountdownTask or Game24Task) return; // brute force in CountdownOracleTests
        var problems = task.Generate(Split.Train, 8, seed: 5);
        // A state: an expert prefix, possibly with one of its lines replaced by a near miss.
        var states = Gen.Choose(0, problems.Count - 1).SelectMany(p => Gen.Choose(0, 1000).SelectMany(cut => Gen.Choose(0, int.MaxValue).Select(seed =>
        {
            var problem = problems[p];
            var solution = task.Solve(problem);
            var length = cut % solution.Count;
            var prefix = solution.Take(length).ToList();
            if (length > 0 && seed % 2 == 0)
            {
                var corruptions = task.Corruptions(problem, prefix.Take(length - 1).ToList(), prefix[^1], new Random(seed));
                if (corruptions.Count > 0) prefix[^1] = corruptions[seed / 2 % corruptions.Count];
            }
            return (problem, prefix, solution);
        })));
        Prop.ForAll(Arb.From(states), state =>
        {
            var (problem, prefix, solution) = state;
            var completion = string.Join('\n', prefix.Concat(solution.Skip(prefix.Count)));
            return task.IsSolvable(problem, prefix) == task.Verify(problem, completion, new RewardConfig()).Correct;
        }).Check(Cases);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Garbage_never_throws_and_is_never_solvable(string name)
    {
        var task = Build(name);
        var problems = task.Generate(Split.Train, 4, seed: 6);
        var characters = (task.Alphabet + "−×÷＝٤\u00a0\t").ToCharArray();
        var line = Gen.ArrayOf(Gen.Elements(characters)).Select(chars => new string(chars)).Where(text => text.Trim().Length > 0);
        var states = Gen.NonEmptyListOf(line).Select(lines => (IReadOnlyList<string>)lines.ToList());
        var random = new Random(7);
        Prop.ForAll(Arb.From(states), steps => problems.All(problem =>
        {
            task.Corruptions(problem, steps.Take(steps.Count - 1).ToList(), steps[^1], random);
            return !task.IsSolvable(problem, steps);
        })).Check(Cases);
    }
}
