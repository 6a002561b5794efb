using FsCheck;
using FsCheck.Fluent;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Statistics;

public class ProportionsPropertyTests
{
    /// <summary>(k, n) with 0 &lt;= k &lt;= n &lt;= 500.</summary>
    private static readonly Arbitrary<(int K, int N)> Counts =
        Gen.Choose(0, 500).SelectMany(n => Gen.Choose(0, n).Select(k => (k, n))).ToArbitrary();

    [Fact]
    public void WilsonIntervalHoldsTheEstimateInsideTheUnitInterval() =>
        Prop.ForAll(Counts, c =>
        {
            var interval = Proportions.Wilson(c.K, c.N);
            return 0 <= interval.Low && interval.Low <= interval.Estimate && interval.Estimate <= interval.High && interval.High <= 1;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void WilsonIsSymmetricUnderSwappingSuccessesAndFailures() =>
        Prop.ForAll(Counts, c =>
        {
            var interval = Proportions.Wilson(c.K, c.N);
            var mirrored = Proportions.Wilson(c.N - c.K, c.N);
            return c.N == 0 || (Math.Abs(interval.Low - (1 - mirrored.High)) < 1e-12 && Math.Abs(interval.High - (1 - mirrored.Low)) < 1e-12);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void McNemarIsAProbabilityAndSymmetric() =>
        Prop.ForAll(Counts, c =>
        {
            double p = Proportions.McNemarExact(c.K, c.N - c.K);
            return p > 0 && p <= 1 && Math.Abs(p - Proportions.McNemarExact(c.N - c.K, c.K)) < 1e-12;
        }).QuickCheckThrowOnFailure();
}
