using Reasoner.Rewards.Arithmetic;

namespace Reasoner.Rewards.Tests.Arithmetic;

public class ArithmeticTaskTests
{
    private static readonly RewardConfig Outcome = new();

    [Theory]
    [InlineData("add", 1, null)]
    [InlineData("add", 3, null)]
    [InlineData("add", 9, 4)]
    [InlineData("add", 18, null)]
    [InlineData("multiply", 1, null)]
    [InlineData("multiply", 3, 2)]
    [InlineData("multiply", 6, 6)]
    [InlineData("mixed", 18, 18)]
    public void Every_expert_solution_verifies(string operation, int digits, int? rightDigits)
    {
        var task = new ArithmeticTask(new ArithmeticOptions(operation, digits, rightDigits));
        var count = digits == 1 ? 40 : 300;
        foreach (var split in new[] { Split.Train, Split.Test })
        {
            foreach (ArithmeticProblem problem in task.Generate(split, split == Split.Test ? count / 8 : count, seed: 3))
            {
                Assert.Equal(digits, problem.Left.ToString().Length);
                Assert.Equal(rightDigits ?? digits, problem.Right.ToString().Length);
                var solution = task.Solve(problem);
                Assert.Equal(task.MaxSteps(problem), solution.Count);
                var verdict = task.Verify(problem, string.Join('\n', solution), Outcome);
                Assert.True(verdict.Correct, $"{problem.Id}: {verdict.Reason}");
                Assert.All(verdict.StepValid, Assert.True);
                Assert.Equal("", string.Concat((task.Prompt(problem) + string.Join("\n", solution)).Where(c => !task.Alphabet.Contains(c))));
            }
        }
    }

    [Fact]
    public void Steps_show_columns_with_carries_and_partial_products()
    {
        var task = new ArithmeticTask();
        Assert.Equal(["8+6+0=14 -> 4", "7+5+1=13 -> 34", "4+3+1=8 -> 834", "Answer: 834"], task.Solve(ArithmeticProblem.Create('+', 478, 356)));
        Assert.Equal(["9+9+0=18 -> 18", "Answer: 18"], task.Solve(ArithmeticProblem.Create('+', 9, 9)));
        Assert.Equal(["478*6=2868", "478*50=23900", "478*300=143400", "2868+23900=26768", "26768+143400=170168", "Answer: 170168"],
            task.Solve(ArithmeticProblem.Create('*', 478, 356)));
        Assert.Equal("478*356\n", task.Prompt(ArithmeticProblem.Create('*', 478, 356)));
    }

    [Theory]
    [InlineData("Answer: 834", true)]
    [InlineData("Answer: 0834", true)]
    [InlineData("8 + 6 + 0 = 14 -> 4\n7+5+1=13 ->34\n4+3+1=8 -> 834\nAnswer:  834 ", true)]
    [InlineData("Answer: 835", false)]
    [InlineData("8+6+0=14 -> 4\n7+5+0=12 -> 24\n4+3+1=8 -> 824\nAnswer: 834", false)]
    [InlineData("8+6+0=14 -> 4\nAnswer: 834", false)]
    [InlineData("8+6+0=14 -> 4\n7+5+1=13 -> 34\n4+3+1=8 -> 834\n0+0+0=0 -> 0834\nAnswer: 834", false)]
    [InlineData("Answer: ８34", false)]
    [InlineData("Answer: 834 + 0", false)]
    [InlineData("", false)]
    public void Answers_and_working_are_checked(string completion, bool correct)
    {
        var verdict = new ArithmeticTask().Verify(ArithmeticProblem.Create('+', 478, 356), completion, Outcome);
        Assert.Equal(correct, verdict.Correct);
    }

    [Fact]
    public void Parse_gives_the_number_for_majority_voting()
    {
        Assert.Equal("834", new ArithmeticTask().Parse("8+6+0=14 -> 4\nAnswer: 00834").Answer);
    }

    [Fact]
    public void Json_round_trips_and_bad_fields_are_named()
    {
        var task = new ArithmeticTask(new ArithmeticOptions("multiply", 5));
        var problem = (ArithmeticProblem)task.Generate(Split.Train, 1, 9)[0];
        Assert.Equal(problem, task.FromJson(task.ToJson(problem)));
        Assert.Contains("\"op\"", Assert.Throws<FormatException>(() => task.FromJson(new() { ["op"] = "-", ["left"] = 1, ["right"] = 2 })).Message);
        Assert.Contains("\"right\"", Assert.Throws<FormatException>(() => task.FromJson(new() { ["op"] = "+", ["left"] = 1, ["right"] = -2 })).Message);
    }

    [Fact]
    public void Small_problem_spaces_end_in_an_error_not_a_hang()
    {
        var task = new ArithmeticTask(new ArithmeticOptions("add", 1));
        Assert.Throws<ArgumentException>(() => task.Generate(Split.Train, 101, 0));
    }
}
