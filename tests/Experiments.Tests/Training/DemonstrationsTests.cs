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
    public void Dead_ends_follow_each_solution_and_teach_only_what_follows_the_mistake()
    {
        var problems = Countdown3.Generate(Split.Train, 20, seed: 4);
        var examples = Demonstrations.With(Countdown3, problems, deadEnds: 2);
        int at = 0;
        foreach (var problem in problems)
        {
            Assert.Equal(Demonstrations.Of(Countdown3, problem), examples[at++]);
            var deadEnds = examples.Skip(at).TakeWhile(e => e.TokenWeights is not null).ToList();
            Assert.InRange(deadEnds.Count, 1, 2);
            at += deadEnds.Count;
            foreach (var deadEnd in deadEnds)
            {
                Assert.True(deadEnd.Finished);
                Assert.False(Countdown3.Verify(problem, deadEnd.Completion, new RewardConfig()).Correct);
                var lines = deadEnd.Completion.Split('\n');
                // The weights are 0 up to the first unsolvable state's line (the mistake, its separator included), 1 after it.
                int mistake = Enumerable.Range(1, lines.Length).First(i => !Countdown3.IsSolvable(problem, lines.Take(i).ToList())) - 1;
                int taught = lines.Take(mistake + 1).Sum(line => line.Length + 1);
                Assert.Equal(deadEnd.TargetCount, deadEnd.TokenWeights!.Length);
                Assert.All(deadEnd.TokenWeights[..taught], w => Assert.Equal(0f, w));
                Assert.All(deadEnd.TokenWeights[taught..], w => Assert.Equal(1f, w));
            }
        }
        Assert.Equal(examples.Count, at);
        // The same problems give the same dead ends (a resumed run rebuilds its data).
        Assert.Equal(examples.Select(e => e.Completion), Demonstrations.With(Countdown3, problems, deadEnds: 2).Select(e => e.Completion));
    }

    [Fact]
    public void Dead_ends_of_a_task_that_has_none_are_refused_naming_the_key()
    {
        var arithmetic = TaskCatalog.Create("arithmetic", null);
        var problems = arithmetic.Generate(Split.Train, 5, seed: 1);
        Assert.Equal(5, Demonstrations.With(arithmetic, problems, deadEnds: 0).Count);
        var error = Assert.Throws<ArgumentException>(() => Demonstrations.With(arithmetic, problems, deadEnds: 1));
        Assert.Contains("imitation.dead_ends", error.Message);
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
