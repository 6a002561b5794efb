using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Statistics;

public class RankAucTests
{
    [Fact]
    public void PerfectReversedTiedAndUndefinedRankings()
    {
        Assert.Equal(1.0, RankAuc.Of([(0.9, true), (0.8, true), (0.1, false), (0.2, false)]));
        Assert.Equal(0.0, RankAuc.Of([(0.1, true), (0.9, false)]));
        Assert.Equal(0.5, RankAuc.Of([(0.5, true), (0.5, false), (0.5, false)]));
        Assert.Null(RankAuc.Of([(0.3, true), (0.4, true)]));
        Assert.Null(RankAuc.Of([]));
    }

    [Fact]
    public void EqualsTheFractionOfPositiveNegativePairsInOrderWithTiesHalf()
    {
        var random = new Random(4);
        var items = Enumerable.Range(0, 200).Select(_ => (Score: Math.Round(random.NextDouble(), 1), Positive: random.NextDouble() < 0.3)).ToList();
        double pairs = 0, ordered = 0;
        foreach (var p in items.Where(i => i.Positive))
            foreach (var n in items.Where(i => !i.Positive))
            {
                pairs++;
                ordered += p.Score > n.Score ? 1 : p.Score == n.Score ? 0.5 : 0;
            }
        Assert.Equal(ordered / pairs, RankAuc.Of(items)!.Value, 12);
    }
}
