using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Statistics;

public class ProportionsTests
{
    [Fact]
    public void Z95IsTheNormalQuantile() => Assert.Equal(1.959963984540054, Proportions.Z95, 12);

    [Theory]
    // R: prop.test(81, 263, correct = FALSE)$conf.int = 0.2552885 0.3662096
    [InlineData(81, 263, 0.2552885198782742, 0.36620957698280004)]
    [InlineData(0, 10, 0.0, 0.2775327998628892)]
    [InlineData(10, 10, 0.7224672001371107, 1.0)]
    [InlineData(1, 2, 0.09453120573423074, 0.9054687942657693)]
    public void WilsonMatchesTheScoreInterval(int k, int n, double low, double high)
    {
        var interval = Proportions.Wilson(k, n);
        Assert.Equal((double)k / n, interval.Estimate, 12);
        Assert.Equal(low, interval.Low, 10);
        Assert.Equal(high, interval.High, 10);
    }

    [Fact]
    public void WilsonWithNoTrialsIsTheWholeUnitInterval() => Assert.Equal(new Interval(0, 0, 1), Proportions.Wilson(0, 0));

    [Fact]
    public void WilsonRejectsMoreSuccessesThanTrials() => Assert.Throws<ArgumentOutOfRangeException>(() => Proportions.Wilson(3, 2));

    [Theory]
    // R: binom.test(682, 925, p = 0.75)$p.value = 0.3825 (the example of R's documentation)
    [InlineData(682, 925, 0.75, 0.3824915595748515)]
    // Asymmetric null: outcomes as unlikely as 7 of 20 lie on both sides of 6.
    [InlineData(7, 20, 0.3, 0.6294979666766771)]
    // Symmetric null: 2 * P(X <= 3) = 2 * 176 / 1024.
    [InlineData(3, 10, 0.5, 0.34375)]
    [InlineData(5, 10, 0.5, 1.0)]
    [InlineData(0, 0, 0.5, 1.0)]
    public void BinomialTestMatchesR(int k, int n, double p, double expected) =>
        Assert.Equal(expected, Proportions.BinomialTest(k, n, p), 10);

    [Fact]
    public void McNemarUsesOnlyTheDiscordantPairs()
    {
        // b = 2, c = 8: 2 * P(X <= 2 | 10, 1/2) = 2 * (1 + 10 + 45) / 1024.
        Assert.Equal(112.0 / 1024, Proportions.McNemarExact(2, 8), 12);
        Assert.Equal(Proportions.McNemarExact(2, 8), Proportions.McNemarExact(8, 2), 12);
        // 0 vs 6 discordant: 2 / 64.
        Assert.Equal(2.0 / 64, Proportions.McNemarExact(0, 6), 12);
    }

    [Fact]
    public void McNemarWithoutDiscordantPairsIsOne() => Assert.Equal(1.0, Proportions.McNemarExact(0, 0));
}
