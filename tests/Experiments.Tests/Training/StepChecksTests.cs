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
}
