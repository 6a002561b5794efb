using Reasoner.Search.Metrics;

namespace Reasoner.Search.Tests;

public class MetricsTests
{
    static double Choose(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        double r = 1;
        for (var i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    [Fact]
    public void PassAtKMatchesTheBinomialFormula()
    {
        for (var n = 1; n <= 20; n++)
            for (var c = 0; c <= n; c++)
                for (var k = 1; k <= n; k++)
                    Assert.Equal(1 - Choose(n - c, k) / Choose(n, k), PassAtK.Estimate(n, c, k), 1e-12);
    }

    [Fact]
    public void PassAtKEdgeCases()
    {
        Assert.Equal(0.0, PassAtK.Estimate(10, 0, 5));
        Assert.Equal(1.0, PassAtK.Estimate(10, 6, 5));
        Assert.Equal(0.3, PassAtK.Estimate(10, 3, 1), 1e-12);
        Assert.Equal(1.0, PassAtK.Estimate(1, 1, 1));
        Assert.Equal(1.0, PassAtK.Estimate(10, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 1, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 6, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(5, 1, 0));
    }

    [Fact]
    public void MajorityVoteTakesTheMostFrequentAnswerAndBreaksTiesByFirstSeen()
    {
        Assert.Equal(1, MajorityVote.Winner(["a", "b", null, "b", "a", "b"]));
        Assert.Equal(0, MajorityVote.Winner(["a", "b", "b", "a"]));
        Assert.Equal(2, MajorityVote.Winner([null, null, "c"]));
        Assert.Null(MajorityVote.Winner([null, null]));
        Assert.Null(MajorityVote.Winner([]));
    }

    [Fact]
    public void MajAtKScoresTheMajorityOfTheFirstKSamples()
    {
        string?[] answers = ["7", "3", "3", "7", "7"];
        bool[] correct = [true, false, false, true, true];
        Assert.True(MajorityVote.CorrectAtK(answers, correct, 1));
        Assert.False(MajorityVote.CorrectAtK(answers, correct, 3));
        Assert.True(MajorityVote.CorrectAtK(answers, correct, 5));
        Assert.False(MajorityVote.CorrectAtK([null, null], [false, false], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MajorityVote.CorrectAtK(answers, correct, 6));
    }
}
