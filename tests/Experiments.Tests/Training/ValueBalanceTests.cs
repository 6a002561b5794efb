using Reasoner.Experiments.Training;

namespace Reasoner.Experiments.Tests.Training;

public class ValueBalanceTests
{
    static TrainingExample State(float target) => new("p\n", "a\n", Weight: 0, Finished: false, LineValues: [float.NaN, target]);

    [Fact]
    public void Positives_are_repeated_until_they_reach_the_share_and_nothing_else_changes()
    {
        var examples = Enumerable.Range(0, 40).Select(i => State(i < 4 ? 1f : 0f)).ToList();
        var balanced = ValueBalance.Oversample(examples, 0.3);
        // 4 positives, 36 negatives: r >= 0.3 * 36 / (0.7 * 4) = 3.86, so 4 copies each: 16 / 52 = 0.31.
        Assert.Equal(52, balanced.Count);
        Assert.Equal(examples, balanced.Take(40));
        Assert.Equal(16, balanced.Count(e => e.LineValues![^1] == 1f));
        Assert.Same(examples, ValueBalance.Oversample(examples, 0));
        Assert.Same(examples, ValueBalance.Oversample(examples, 0.05)); // already above the share
        // A path with a negative state anywhere is not a positive to repeat.
        var mixed = new TrainingExample("p\n", "a\nb\n", Weight: 0, Finished: false, LineValues: [1f, 1f, 0f]);
        Assert.Equal(37, ValueBalance.Oversample([.. examples.Skip(4), mixed], 0.5).Count);
    }

    [Fact]
    public void The_balancing_weight_is_the_ratio_of_negatives_to_positives_clamped()
    {
        Assert.Equal(9f, ValueBalance.PositiveWeight([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 5);
        Assert.Equal(1f, ValueBalance.PositiveWeight([1.0, 1, 0]));
        Assert.Equal(1f, ValueBalance.PositiveWeight([0.0, 0]));
        Assert.Equal(100f, ValueBalance.PositiveWeight(Enumerable.Repeat(0.0, 999).Append(1)));
        Assert.Equal([1f, 0.5f], ValueBalance.TargetsOf(new TrainingExample("p\n", "a", ValueTarget: 0.5f, LineValues: [1f, float.NaN])));
    }
}
