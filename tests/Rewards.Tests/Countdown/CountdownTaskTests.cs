using Reasoner.Rewards.Countdown;

namespace Reasoner.Rewards.Tests.Countdown;

public class CountdownTaskTests
{
    private static readonly RewardConfig Outcome = new();

    private static CountdownProblem Problem(int target, params int[] numbers) => CountdownProblem.Create("t", numbers, target);

    public static TheoryData<int, int, int, int, int> Difficulties => new()
    {
        { 3, 1, 13, 1, 100 },
        { 4, 1, 13, 1, 100 },
        { 4, 1, 99, 1, 99 },
        { 5, 1, 25, 10, 200 },
        { 6, 1, 100, 100, 999 },
    };

    [Theory]
    [MemberData(nameof(Difficulties))]
    public void Every_expert_solution_verifies_on_generated_problems(int numbers, int minNumber, int maxNumber, int minTarget, int maxTarget)
    {
        var task = new CountdownTask(new CountdownOptions(numbers, minNumber, maxNumber, minTarget, maxTarget));
        var count = numbers == 6 ? 24 : numbers == 5 ? 40 : 200;
        // The test split keeps one candidate in ten, so it is sampled smaller.
        foreach (var (split, n) in new[] { (Split.Train, count), (Split.Test, count / 4) })
        {
            foreach (CountdownProblem problem in task.Generate(split, n, seed: 11))
            {
                Assert.Equal(numbers, problem.Numbers.Count);
                Assert.InRange(problem.Target, minTarget, maxTarget);
                Assert.All(problem.Numbers, n => Assert.InRange(n, minNumber, maxNumber));
                var solution = task.Solve(problem);
                Assert.Equal(task.MaxSteps(problem), solution.Count);
                Assert.True(task.IsAnswerLine(solution[^1]));
                var verdict = task.Verify(problem, string.Join('\n', solution), Outcome);
                Assert.True(verdict.Correct, $"{problem.Id}: {verdict.Reason}");
                Assert.True(verdict.FormatOk);
                Assert.Equal(1.0, verdict.Reward);
                Assert.All(verdict.StepValid, Assert.True);
                Assert.Equal(solution.Count, verdict.StepValid.Count);
            }
        }
    }

    [Fact]
    public void Expert_first_steps_spread_over_the_steps_that_reach_the_target_and_repeat_per_problem()
    {
        var task = new CountdownTask(new CountdownOptions(4, 1, 13, 1, 100));
        var problems = task.Generate(Split.Train, 300, seed: 3);
        var firstSteps = problems.Select(p => task.Solve(p)[0]).ToList();
        // A fixed search order starts almost every solution with the two smallest numbers added.
        var smallestAdded = problems.Zip(firstSteps).Count(pair =>
        {
            var numbers = ((CountdownProblem)pair.First).Numbers;
            return pair.Second.StartsWith($"{numbers[0]} + {numbers[1]} = ", StringComparison.Ordinal);
        });
        Assert.InRange(smallestAdded, 0, problems.Count / 3);
        foreach (var op in new[] { " + ", " - ", " * ", " / " })
        {
            Assert.True(firstSteps.Count(step => step.Contains(op, StringComparison.Ordinal)) >= 20, op);
        }
        Assert.Equal(firstSteps, problems.Select(p => task.Solve(p)[0]));
        // The same problem under another id gets the same solution: the seed comes from its content.
        var problem = (CountdownProblem)problems[0];
        Assert.Equal(task.Solve(problem), task.Solve(Problem(problem.Target, [.. problem.Numbers])));
    }

    [Fact]
    public void Expert_prefers_whole_numbers_and_uses_fractions_only_when_needed()
    {
        var task = new CountdownTask();
        // 1 5 5 5 -> 24 needs 5 * (5 - 1 / 5): the only solutions go through a fraction.
        var fractional = task.Solve(Problem(24, 1, 5, 5, 5));
        Assert.True(task.Verify(Problem(24, 1, 5, 5, 5), string.Join('\n', fractional), Outcome).Correct);
        Assert.Contains(fractional.SkipLast(1), step => step.Contains("1/5", StringComparison.Ordinal));
        var generated = new CountdownTask(new CountdownOptions(4, 1, 13, 1, 100)).Generate(Split.Train, 200, seed: 4);
        var withFractions = generated.Count(p => task.Solve(p).SkipLast(1).Any(step => step.Contains('/', StringComparison.Ordinal)
            && step.Split(' ').Any(token => token.Contains('/') && token.Length > 1)));
        Assert.InRange(withFractions, 0, 20);
    }

    [Fact]
    public void Generation_is_deterministic_per_seed_and_splits_are_disjoint()
    {
        var task = new CountdownTask();
        var first = task.Generate(Split.Train, 300, seed: 5).Select(p => p.Id).ToList();
        var again = task.Generate(Split.Train, 300, seed: 5).Select(p => p.Id).ToList();
        var other = task.Generate(Split.Train, 300, seed: 6).Select(p => p.Id).ToList();
        var test = task.Generate(Split.Test, 300, seed: 5).Select(p => p.Id).ToList();
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(first.Count, first.Distinct().Count());
        Assert.Equal(test.Count, test.Distinct().Count());
        Assert.Empty(first.Concat(other).Intersect(test));
    }

    [Fact]
    public void Generated_training_problems_never_include_a_game24_test_puzzle()
    {
        // Four numbers from 1-13 and target 24 only: every training problem is a candidate Game-of-24 puzzle.
        var task = new CountdownTask(new CountdownOptions(4, 1, 13, 24, 24));
        var train = task.Generate(Split.Train, 400, seed: 1).Cast<CountdownProblem>().ToList();
        var testKeys = Game24Puzzles.All.Where(Game24Puzzles.IsTest).Select(p => string.Join(' ', p.Numbers)).ToHashSet();
        Assert.Equal(100, testKeys.Count);
        Assert.DoesNotContain(train, p => testKeys.Contains(string.Join(' ', p.Numbers)));
        // The same space does hold test puzzles: the exclusion, not luck, keeps them out.
        var everything = task.Generate(Split.Test, 100, seed: 1).Cast<CountdownProblem>()
            .Concat(train).Select(p => string.Join(' ', p.Numbers)).ToHashSet();
        Assert.True(Game24Puzzles.IsTestPuzzle([4, 5, 6, 10], 24));
        Assert.Contains(Game24Puzzles.All, p => Game24Puzzles.IsTest(p) && p.Numbers.SequenceEqual(new[] { 4, 5, 6, 10 }));
        Assert.True(everything.Count > 300);
    }

    [Fact]
    public void Prompt_and_steps_use_the_tree_of_thoughts_form()
    {
        var task = new CountdownTask();
        var problem = Problem(24, 8, 6, 4, 4);
        Assert.Equal("4 4 6 8 -> 24\n", task.Prompt(problem));
        var completion = "4 + 8 = 12 (left: 4 6 12)\n6 - 4 = 2 (left: 2 12)\n2 * 12 = 24 (left: 24)\nAnswer: (6 - 4) * (4 + 8) = 24\n";
        var verdict = task.Verify(problem, completion, Outcome);
        Assert.True(verdict.Correct, verdict.Reason);
        Assert.Equal([true, true, true, true], verdict.StepValid);
        var parsed = task.Parse(completion);
        Assert.Equal(3, parsed.Steps.Count);
        Assert.Equal("(6-4)*(4+8)", parsed.Answer);
    }

    [Fact]
    public void Every_solution_the_enumeration_finds_is_accepted()
    {
        var task = new CountdownTask();
        var problem = Problem(24, 4, 4, 6, 8);
        var solutions = CountdownSolver.AllSolutions(problem.Numbers, problem.Target).ToList();
        Assert.Equal(10, solutions.Count);
        Assert.True(solutions.Select(s => CountdownSolver.Lines(s, problem.Target)[^1]).Distinct().Count() > 1);
        foreach (var solution in solutions)
        {
            var completion = string.Join('\n', CountdownSolver.Lines(solution, problem.Target));
            var verdict = task.Verify(problem, completion, Outcome);
            Assert.True(verdict.Correct, $"{completion}: {verdict.Reason}");
        }
    }

    [Theory]
    [InlineData("Answer: (4 + 8) * (6 - 4) = 24")]
    [InlineData("Answer: (8+4)*(6-4)=24")]
    [InlineData("6 - 4 = 2 (left: 2 4 8)\n8 + 4 = 12 (left: 2 12)\n12 * 2 = 24 (left: 24)\nAnswer: (8 + 4) * (6 - 4) = 24")]
    [InlineData("4   +  8 = 12   (left:  12 4 6)\n\n  6 - 4 = 2 (left: 12 2)\n2 * 12 = 24 (left: 24)\nAnswer:   (6 - 4) * (4 + 8)   =   24   ")]
    [InlineData("8 / 4 = 2 (left: 2 4 6)\n2 + 4 = 6 (left: 6 6)\n6 * 6 = 36 (left: 36)\nAnswer: (8 / 4 + 4) * 6 = 36")]
    public void Correct_solutions_other_than_the_experts_are_accepted(string completion)
    {
        var target = completion.Contains("36") ? 36 : 24;
        var verdict = new CountdownTask().Verify(Problem(target, 4, 4, 6, 8), completion, Outcome);
        Assert.True(verdict.Correct, verdict.Reason);
    }

    [Fact]
    public void Fractions_are_exact_and_printed_as_fractions()
    {
        var task = new CountdownTask();
        var problem = Problem(24, 3, 3, 8, 8);
        var solution = task.Solve(problem);
        Assert.Contains(solution, line => line.Contains("8/3"));
        var completion = "8 / 3 = 8/3 (left: 3 8 8/3)\n3 - 8/3 = 1/3 (left: 1/3 8)\n8 / 1/3 = 24 (left: 24)\nAnswer: 8 / (3 - 8 / 3) = 24";
        Assert.True(task.Verify(problem, completion, Outcome).Correct);
    }

    [Theory]
    [InlineData("4 + 4 = 8 (left: 6 8 8)\n8 + 8 = 16 (left: 6 16)\n16 + 8 = 24 (left: 24)\nAnswer: 4 + 4 + 8 + 8 = 24", "step 3")]
    [InlineData("4 + 8 = 13 (left: 4 6 13)\nAnswer: (6 - 4) * (4 + 8) = 24", "is 12, not 13")]
    [InlineData("4 + 8 = 12 (left: 4 6 8)\nAnswer: (6 - 4) * (4 + 8) = 24", "left should be")]
    [InlineData("Answer: 4 * 6 * (8 - 4) = 24", "is 96")]
    [InlineData("Answer: 4 * 6 = 24", "exactly once")]
    [InlineData("Answer: 4 * 6 + 8 - 8 = 24", "exactly once")]
    [InlineData("Answer: (6 - 4) * (4 + 8) = 25", "claims 25")]
    [InlineData("Answer: (6 - 4) * (4 + 8)", "malformed")]
    [InlineData("4 / 0 = 0 (left: 0 4 6 8)\nAnswer: (6 - 4) * (4 + 8) = 24", "uses a number that is not left")]
    [InlineData("6 - 4 = 2 (left: 2 4 8)\n4 + 8 = 12 (left: 2 12)\n2 * 12 = 24 (left: 24)\nAnswer: 6 * 4 - 8 + 4 * 2 = 24", "exactly once")]
    [InlineData("4 * 6 = 24 (left: 4 8 24)\n8 / 4 = 2 (left: 2 24)\n24 / 2 = 12 (left: 12)\nAnswer: (6 - 4) * (4 + 8) = 24", "differs from the steps")]
    [InlineData("4 + 8 = 12 (left: 4 6 12)\n6 - 4 = 2 (left: 2 12)\nAnswer: (6 - 4) * (4 + 8) = 24", "differs from the steps")]
    [InlineData("", "no answer line")]
    [InlineData("4 + 8 = 12 (left: 4 6 12)", "no answer line")]
    [InlineData("Answer: (6 - 4) * (4 + 8) = 24\nAnswer: 1 = 24", "after the answer")]
    [InlineData("Answer: (6 − 4) * (4 + 8) = 24", "malformed")]
    [InlineData("Answer: (6 - 4) × (4 + 8) = 24", "malformed")]
    [InlineData("Answer: (６ - 4) * (4 + 8) = 24", "malformed")]
    [InlineData("Answer: (6 - 4) * (4 + 8) = 24/1 + 0", "malformed")]
    [InlineData("Answer: -4 + 6 * 4 + 8 = 24", "malformed")]
    public void Near_misses_are_not_correct(string completion, string reason)
    {
        var verdict = new CountdownTask().Verify(Problem(24, 4, 4, 6, 8), completion, Outcome);
        Assert.False(verdict.Correct);
        Assert.Equal(0, verdict.Reward);
        Assert.Contains(reason, verdict.Reason);
    }

    [Fact]
    public void Division_by_zero_is_an_invalid_step_not_a_crash()
    {
        var problem = Problem(0, 0, 4, 5);
        var verdict = new CountdownTask().Verify(problem, "4 / 0 = 0 (left: 0 5)\nAnswer: 4 / 0 * 5 = 0", Outcome);
        Assert.False(verdict.Correct);
        Assert.False(verdict.StepValid[0]);
        Assert.Contains("division by zero", verdict.Reason);
    }

    [Fact]
    public void Huge_numbers_are_rejected_without_overflowing()
    {
        var problem = Problem(24, 4, 4, 6, 8);
        var task = new CountdownTask();
        var huge = new string('9', 5000);
        Assert.False(task.Verify(problem, $"Answer: {huge} * {huge} = 24", Outcome).Correct);
        var big = "999999999999";
        Assert.False(task.Verify(problem, $"Answer: {big} * {big} * {big} = 24", Outcome).Correct);
        Assert.False(task.Verify(problem, "Answer: " + new string('(', 100_000) + "4" + new string(')', 100_000) + " = 24", Outcome).Correct);
    }

    [Fact]
    public void Rewards_follow_the_config()
    {
        var task = new CountdownTask();
        var problem = Problem(24, 4, 4, 6, 8);
        var wrong = "4 + 8 = 12 (left: 4 6 12)\n6 + 4 = 10 (left: 10 12)\n10 + 12 = 22 (left: 22)\nAnswer: 6 + 4 + (4 + 8) = 22";
        Assert.Equal(0.1, task.Verify(problem, wrong, new RewardConfig(FormatBonus: 0.1)).Reward, 12);
        // Three valid steps of four lines (the answer line is wrong).
        Assert.Equal(0.1 + 0.5 * 0.75, task.Verify(problem, wrong, new RewardConfig(0.1, ProcessWeight: 0.5)).Reward, 12);
        Assert.Equal(0, task.Verify(problem, "garbage", new RewardConfig(FormatBonus: 0.1)).Reward);
        var padded = "4 + 4 = 8 (left: 6 8 8)\n8 - 8 = 0 (left: 0 6)\n0 + 6 = 6 (left: 6)\n" + string.Join('\n', task.Solve(problem));
        var verdict = task.Verify(problem, padded, new RewardConfig(LengthPenalty: 0.05));
        Assert.False(verdict.Correct);
        Assert.Equal(-0.05 * 3, verdict.Reward, 12);
    }

    [Fact]
    public void Json_round_trips_and_bad_fields_are_named()
    {
        var task = new CountdownTask();
        var problem = (CountdownProblem)task.Generate(Split.Train, 1, seed: 3)[0];
        var back = (CountdownProblem)task.FromJson(task.ToJson(problem));
        Assert.Equal(problem.Id, back.Id);
        Assert.Equal(problem.Numbers, back.Numbers);
        var error = Assert.Throws<FormatException>(() => task.FromJson(new System.Text.Json.Nodes.JsonObject { ["numbers"] = new System.Text.Json.Nodes.JsonArray(1, 2, 3) }));
        Assert.Contains("target", error.Message);
        Assert.Contains("numbers", Assert.Throws<FormatException>(() => task.FromJson(new System.Text.Json.Nodes.JsonObject { ["target"] = 3 })).Message);
    }

    [Fact]
    public void Alphabet_covers_prompts_and_solutions()
    {
        foreach (var task in new ITask[] { new CountdownTask(new CountdownOptions(5, 1, 50, 1, 500)), new Game24Task() })
        {
            foreach (var problem in task.Generate(Split.Train, 100, seed: 2))
            {
                var text = task.Prompt(problem) + string.Join('\n', task.Solve(problem));
                Assert.Equal("", string.Concat(text.Where(c => !task.Alphabet.Contains(c))));
            }
        }
    }
}
