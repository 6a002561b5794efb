using Reasoner.Rewards.Sudoku;

namespace Reasoner.Rewards.Tests.Sudoku;

public class SudokuTaskTests
{
    private static readonly RewardConfig Outcome = new();

    [Theory]
    [InlineData(4, 4, 200)]
    [InlineData(4, 10, 100)]
    [InlineData(9, 30, 40)]
    [InlineData(9, 50, 20)]
    public void Every_expert_solution_verifies_and_puzzles_are_unique(int size, int blanks, int count)
    {
        var task = new SudokuTask(new SudokuOptions(size, blanks));
        foreach (var split in new[] { Split.Train, Split.Test })
        {
            foreach (SudokuProblem problem in task.Generate(split, split == Split.Test ? count / 4 : count, seed: 4))
            {
                Assert.Equal(blanks, problem.Grid.Count(c => c == '.'));
                Assert.Equal(1, SudokuSolver.Solve(size, problem.Cells(), limit: 2));
                var solution = task.Solve(problem);
                Assert.Equal(task.MaxSteps(problem), solution.Count);
                var verdict = task.Verify(problem, string.Join('\n', solution), Outcome);
                Assert.True(verdict.Correct, $"{problem.Id}: {verdict.Reason}");
                Assert.All(verdict.StepValid, Assert.True);
                Assert.Equal("", string.Concat((task.Prompt(problem) + string.Join("\n", solution)).Where(c => !task.Alphabet.Contains(c))));
            }
        }
    }

    private static SudokuProblem Puzzle() => SudokuProblem.Create(4, "1.3.34.2.14..3.1".Select(c => c == '.' ? 0 : c - '0').ToArray());

    [Fact]
    public void Prompt_steps_and_answer_have_their_documented_form()
    {
        var task = new SudokuTask();
        var problem = Puzzle();
        Assert.Equal("1.3./34.2/.14./.3.1\n", task.Prompt(problem));
        Assert.Equal("Answer: 1234/3412/2143/4321", task.Solve(problem)[^1]);
    }

    [Theory]
    [InlineData("Answer: 1234/3412/2143/4321", true)]
    [InlineData("r1c2=2\nr1c4=4\nr2c3=1\nr3c1=2\nr3c4=3\nr4c1=4\nr4c3=2\nAnswer: 1234/3412/2143/4321", true)]
    [InlineData("r4c3=2\nr4c1=4\nr3c4=3\nr3c1=2\nr2c3=1\nr1c4=4\nr1c2=2\nAnswer: 1234/3412/2143/4321", true)]
    [InlineData("r1c2=2\nAnswer: 1234/3412/2143/4321", false)]
    [InlineData("r1c2=4\nAnswer: 1234/3412/2143/4321", false)]
    [InlineData("r1c1=1\nAnswer: 1234/3412/2143/4321", false)]
    [InlineData("r5c1=1\nAnswer: 1234/3412/2143/4321", false)]
    [InlineData("Answer: 1234/3412/2143/4312", false)]
    [InlineData("Answer: 1234/3412/2143", false)]
    [InlineData("Answer: 1234/3412/2143/432１", false)]
    [InlineData("Answer: 2143/3412/1234/4321", false)]
    [InlineData("", false)]
    public void Fills_and_answers_are_checked(string completion, bool correct)
    {
        var verdict = new SudokuTask().Verify(Puzzle(), completion, Outcome);
        Assert.Equal(correct, verdict.Correct);
    }

    [Fact]
    public void A_puzzle_with_several_solutions_accepts_any_of_them()
    {
        var task = new SudokuTask();
        var empty = SudokuProblem.Create(4, new int[16]);
        Assert.True(task.Verify(empty, "Answer: 1234/3412/2143/4321", new RewardConfig()).Correct);
        Assert.True(task.Verify(empty, "Answer: 2143/3412/1234/4321", new RewardConfig()).Correct);
        var verdict = task.Verify(empty, "r1c1=2\nr1c2=2\nAnswer: 2143/3412/1234/4321", new RewardConfig());
        Assert.Equal([true, false, false], verdict.StepValid);
    }

    [Fact]
    public void Json_round_trips_and_bad_grids_are_named()
    {
        var task = new SudokuTask(new SudokuOptions(9, 45));
        var problem = (SudokuProblem)task.Generate(Split.Train, 1, 2)[0];
        Assert.Equal(problem, task.FromJson(task.ToJson(problem)));
        Assert.Contains("\"grid\"", Assert.Throws<FormatException>(() => task.FromJson(new() { ["size"] = 4, ["grid"] = "11.............." })).Message);
        Assert.Contains("\"size\"", Assert.Throws<FormatException>(() => task.FromJson(new() { ["size"] = 5, ["grid"] = "" })).Message);
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SudokuTask(new SudokuOptions(5)));
        Assert.Throws<ArgumentException>(() => new SudokuTask(new SudokuOptions(4, 13)));
    }
}
