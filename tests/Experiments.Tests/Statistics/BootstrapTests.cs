using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Statistics;

public class BootstrapTests
{
    private readonly double[] Rewards = [0.1, 0.4, 0.35, 0.8, 0.9, 0.2, 0.55, 0.65, 0.3, 0.75];

    [Fact]
    public void SameSeedGivesTheSameInterval() =>
        Assert.Equal(Bootstrap.MeanInterval(Rewards, new Random(7)), Bootstrap.MeanInterval(Rewards, new Random(7)));

    [Fact]
    public void IntervalSurroundsTheMeanWithinTheDataRange()
    {
        var interval = Bootstrap.MeanInterval(Rewards, new Random(1));
        Assert.Equal(Rewards.Average(), interval.Estimate, 12);
        Assert.InRange(interval.Low, Rewards.Min(), interval.Estimate);
        Assert.InRange(interval.High, interval.Estimate, Rewards.Max());
    }

    [Fact]
    public void IntervalMatchesTheNormalTheoryWidthForALargeSample()
    {
        // For n = 400 values of 0/1 with p = 1/2 the mean's standard error is 0.025, so the 95% interval is about
        // +-0.049; the percentile bootstrap agrees to within a few resampling percent.
        var values = Enumerable.Range(0, 400).Select(i => (double)(i % 2)).ToArray();
        var interval = Bootstrap.MeanInterval(values, new Random(3), resamples: 4000);
        Assert.Equal(0.5 - 1.96 * 0.025, interval.Low, 0.006);
        Assert.Equal(0.5 + 1.96 * 0.025, interval.High, 0.006);
    }

    [Fact]
    public void ConstantDataHasAZeroWidthInterval() =>
        Assert.Equal(new Interval(2, 2, 2), Bootstrap.MeanInterval([2.0, 2.0, 2.0], new Random(0)));

    [Fact]
    public void EmptyDataHasNoMean() => Assert.True(double.IsNaN(Bootstrap.MeanInterval([], new Random(0)).Estimate));

    [Fact]
    public void QuantileInterpolatesLikeRType7() => Assert.Equal(2.5, Bootstrap.Quantile([1, 2, 3, 4], 0.5), 12);
}
