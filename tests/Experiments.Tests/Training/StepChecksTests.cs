using Reasoner.Experiments.Training;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Tests.Training;

public sealed class StepChecksTests
{
    [Fact]
    public void Step_checks_are_the_distinct_claims_of_the_drills_with_no_problem_in_view()
    {
        var task = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3, MaxNumber: 12, MaxTarget: 30));
        var problems = task.Generate(Split.Train, 30, seed: 2);
        var examples = StepChecks.Examples(task, problems);
        var claims = problems.SelectMany(task.Drills).Select(line => task.Claim(line)!).Distinct().ToList();
        Assert.Equal(claims.Select(c => (c.Question, c.Answer)), examples.Select(e => (e.Prompt, e.Completion)));
        Assert.All(examples, e => Assert.True(e.Finished && e.Weight == 1f && e.ValueTarget is null));
        Assert.DoesNotContain(examples, e => e.Prompt.Contains("->", StringComparison.Ordinal) || e.Completion.Contains("left", StringComparison.Ordinal));
        Assert.Empty(StepChecks.Examples(TaskCatalog.Create("arithmetic"), TaskCatalog.Create("arithmetic").Generate(Split.Train, 3, seed: 1)));
    }

    [Fact]
    public void State_checks_add_the_distinct_problems_the_drills_leave_as_value_examples_alone()
    {
        var task = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3, MaxNumber: 12, MaxTarget: 30));
        var problems = task.Generate(Split.Train, 30, seed: 2);
        var claims = StepChecks.Examples(task, problems);
        var examples = StepChecks.Examples(task, problems, states: true);
        Assert.Equal(claims, examples.Take(claims.Count));
        var left = examples.Skip(claims.Count).ToList();
        Assert.Equal(problems.SelectMany(task.RemainingDrills).Select(d => d.Prompt).Distinct(), left.Select(e => e.Prompt));
        Assert.All(left, e => Assert.True(e.Completion == "" && !e.Finished && e.Weight == 0f && e.ValueTarget is 0f or 1f && e.Prompt.EndsWith('\n')));
        Assert.Contains(left, e => e.ValueTarget == 1f);
        Assert.Contains(left, e => e.ValueTarget == 0f);
    }
}
