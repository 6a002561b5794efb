using Reasoner.Experiments.Training;

namespace Reasoner.Experiments.Tests.Training;

public sealed class ExampleMixTests
{
    private static TrainingExample[] Group(string name, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TrainingExample($"{name}{i}", "x"))];

    private static int Count(IReadOnlyList<TrainingExample> mixed, string name) => mixed.Count(e => e.Prompt.StartsWith(name, StringComparison.Ordinal));

    [Fact]
    public void EqualRepeatsEachGroupToTheLargestAndLeavesEmptyOnesOut()
    {
        var mixed = ExampleMix.Equal(Group("a", 3), Group("b", 10), []);
        Assert.Equal(20, mixed.Count);
        Assert.Equal(10, Count(mixed, "a"));
        // Whole passes first: every example of the small group is there, none more than once ahead of the others.
        Assert.Equal(["a0", "a1", "a2", "a0"], mixed.Take(4).Select(e => e.Prompt));
    }

    [Theory]
    [InlineData(20_000, 400, 0.5)]
    [InlineData(20_000, 400, 0.9)]
    [InlineData(100, 5_000, 0.5)]
    [InlineData(100, 5_000, 0.25)]
    [InlineData(30, 70, 0.3)]
    public void SharesGiveTheFirstGroupItsShareAndKeepEveryExample(int first, int second, double share)
    {
        var mixed = ExampleMix.Shares(Group("a", first), share, Group("b", second));
        double actual = Count(mixed, "a") / (double)mixed.Count;
        Assert.InRange(actual, share - 0.01, share + 0.01);
        // Only the group short of its share is repeated; the other is there exactly once.
        Assert.True(Count(mixed, "a") == first || Count(mixed, "b") == second);
        Assert.True(Count(mixed, "a") >= first && Count(mixed, "b") >= second);
        Assert.Equal(first, mixed.Where(e => e.Prompt.StartsWith('a')).Select(e => e.Prompt).Distinct().Count());
    }

    [Fact]
    public void SharesLeaveAGroupAloneWhenTheOtherIsEmptyOrTheShareIsZero()
    {
        var a = Group("a", 4);
        var b = Group("b", 6);
        Assert.Same(b, ExampleMix.Shares([], 0.5, b));
        Assert.Same(a, ExampleMix.Shares(a, 0.5, []));
        Assert.Same(b, ExampleMix.Shares(a, 0, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExampleMix.Shares(a, 1, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExampleMix.Shares(a, double.NaN, b));
    }
}
