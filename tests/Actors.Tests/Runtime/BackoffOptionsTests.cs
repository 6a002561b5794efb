using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

public class BackoffOptionsTests
{
    [Fact]
    public void WithoutJitterTheDelayDoublesFromMinUpToMax()
    {
        var backoff = new BackoffOptions { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1), RandomFactor = 0 };
        var random = new Random(0);

        var delays = Enumerable.Range(1, 6).Select(n => backoff.DelayFor(n, random).TotalMilliseconds);

        Assert.Equal([100, 200, 400, 800, 1000, 1000], delays);
    }

    [Fact]
    public void JitterStaysWithinItsFactorAndRepeatsWithTheSeed()
    {
        var backoff = new BackoffOptions { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(10), RandomFactor = 0.5, Seed = 7 };

        double[] Delays(int seed)
        {
            var random = new Random(seed);
            return [.. Enumerable.Range(1, 5).Select(n => backoff.DelayFor(n, random).TotalMilliseconds)];
        }

        var delays = Delays(7);
        Assert.Equal(delays, Delays(7));
        Assert.NotEqual(delays, Delays(8));
        for (var n = 1; n <= 5; n++)
            Assert.InRange(delays[n - 1], 100 * Math.Pow(2, n - 1), 1.5 * 100 * Math.Pow(2, n - 1));
    }
}
