using Reasoner.Experiments.Training;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Tests.Training;

public sealed class DemonstrationsTests
{
    private static readonly ITask Countdown3 = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3));

    [Fact]
    public void A_demonstration_is_the_prompt_and_the_experts_finished_solution_which_the_task_verifies()
    {
        var problems = Countdown3.Generate(Split.Train, 20, seed: 4);
        var examples = Demonstrations.Create(Countdown3, problems, HeldOutProblems.TestSplit(Countdown3, 50, seed: 0));
        Assert.Equal(problems.Count, examples.Count);
        for (int i = 0; i < problems.Count; i++)
        {
            var example = examples[i];
            Assert.Equal(Countdown3.Prompt(problems[i]), example.Prompt);
            Assert.Equal(string.Join("\n", Countdown3.Solve(problems[i])), example.Completion);
            Assert.True(example.Finished);
            Assert.Equal(1f, example.Weight);
            Assert.Null(example.ValueTarget);
            Assert.True(Countdown3.Verify(problems[i], example.Completion, new RewardConfig()).Correct);
        }
    }

    [Fact]
    public void Training_refuses_a_held_out_problem_naming_it_even_under_another_id()
    {
        var test = Countdown3.Generate(Split.Test, 30, seed: 2);
        var heldOut = new HeldOutProblems(Countdown3, test);
        var training = Countdown3.Generate(Split.Train, 40, seed: 1).ToList();
        training.Insert(17, test[5]);
        var error = Assert.Throws<ArgumentException>(() => Demonstrations.Create(Countdown3, training, heldOut));
        Assert.Contains($"training problem {test[5].Id} is the held-out countdown test problem {test[5].Id}", error.Message);

        // The same numbers and target from elsewhere (a file, a hand-made list) are caught by content, not by id.
        training[17] = test[9] with { Id = "from-a-file" };
        Assert.Contains($"training problem from-a-file is the held-out countdown test problem {test[9].Id}",
            Assert.Throws<ArgumentException>(() => Demonstrations.Create(Countdown3, training, heldOut)).Message);
    }

    [Theory]
    [InlineData("countdown", 400, 60)]
    [InlineData("game24", 1262, 100)]
    public void The_train_split_never_holds_a_test_problem(string name, int trainCount, int testCount)
    {
        var task = TaskCatalog.Create(name, name == "countdown" ? new TaskOptions(Numbers: 3) : null);
        var heldOut = HeldOutProblems.TestSplit(task, testCount, seed: 0);
        Assert.Equal(testCount, heldOut.Count);
        var training = task.Generate(Split.Train, trainCount, seed: 1);
        heldOut.EnsureNoneOf(training);
        Assert.DoesNotContain(training, heldOut.Contains);
    }

    [Fact]
    public void The_context_fits_the_longest_demonstration_rounded_up_to_8()
    {
        var problems = Countdown3.Generate(Split.Train, 200, seed: 3);
        int longest = problems.Max(p => Demonstrations.Of(Countdown3, p).TokenCount);
        int context = Demonstrations.ContextFor(Countdown3, problems);
        Assert.Equal(0, context % 8);
        Assert.InRange(context, longest, longest + 7);
    }
}
