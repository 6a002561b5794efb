using FsCheck;
using FsCheck.Fluent;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Statistics;

/// <summary>Several search seeds pooled per problem: intervals and paired tests count each problem once.</summary>
public class PooledSeedsTests
{
    [Theory]
    // Reference values from an independent computation (Python, the formula written out):
    //   p = mean(m); var = sum((m - p)^2) / n^2; n_eff = p (1 - p) / var; Wilson(p, n_eff) with z = 1.959963984540054.
    // Ten problems, three seeds: solved 3, 2, 0, 1, 3, 0, 0, 1, 2, 3 times. n_eff = 15.517 (between n = 10 and n x 3 = 30).
    [InlineData(new[] { 3, 2, 0, 1, 3, 0, 0, 1, 2, 3 }, 0.5, 0.27726934291986804, 0.722730657080132)]
    // Twelve problems, three seeds, mostly unsolved: n_eff = 16.36.
    [InlineData(new[] { 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0 }, 1.0 / 6, 0.055621115722188114, 0.40446106604594545)]
    public void TheIntervalOverProblemsMatchesTheReferenceComputation(int[] solvedOfThree, double estimate, double low, double high)
    {
        var interval = Proportions.WilsonOverProblems(solvedOfThree.Select(s => s / 3.0).ToList(), trials: 3L * solvedOfThree.Length);
        Assert.Equal(estimate, interval.Estimate, 12);
        Assert.Equal(low, interval.Low, 10);
        Assert.Equal(high, interval.High, 10);
    }

    [Fact]
    public void ScoresOfZeroOrOneAreTheWilsonIntervalOfTheProblemsSolved()
    {
        var scores = Enumerable.Range(0, 40).Select(i => i % 5 == 0 ? 1.0 : 0.0).ToList();
        Assert.Equal(Proportions.Wilson(8, 40), Proportions.WilsonOverProblems(scores, trials: 120));
        Assert.Equal(Proportions.Wilson(0, 40), Proportions.WilsonOverProblems(new double[40], trials: 120));
        Assert.Equal(Proportions.Wilson(0, 0), Proportions.WilsonOverProblems([], trials: 0));
    }

    [Fact]
    public void TheEffectiveTrialsLieBetweenTheProblemsAndEverySearch()
    {
        // Every problem solved by exactly one seed of three: problems do not differ, the seeds are independent trials.
        var uniform = Enumerable.Repeat(1 / 3.0, 30).ToList();
        Assert.Equal(90, Proportions.EffectiveTrials(uniform, 1 / 3.0, trials: 90));
        var solvedPerProblem = Gen.Choose(2, 60).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 3), n)).ToArbitrary();
        Prop.ForAll(solvedPerProblem, solved =>
        {
            var scores = solved.Select(s => s / 3.0).ToList();
            double effective = Proportions.EffectiveTrials(scores, scores.Average(), 3L * scores.Count);
            var interval = Proportions.WilsonOverProblems(scores, 3L * scores.Count);
            return effective >= scores.Count && effective <= 3 * scores.Count
                && interval.Low <= interval.Estimate && interval.Estimate <= interval.High
                && interval.Low >= 0 && interval.High <= 1;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void BinaryScoresArePairedByTheExactMcNemarTest()
    {
        double[] first = [1, 1, 1, 1, 1, 1, 1, 0, 1, 0];
        double[] second = [0, 0, 0, 0, 0, 0, 0, 1, 1, 0];
        var test = PairedTest.Of(first, second);
        Assert.True(test.IsMcNemar);
        Assert.Equal((10, 7, 1), (test.Problems, test.OnlyFirst, test.OnlySecond));
        Assert.Equal(Proportions.McNemarExact(7, 1), test.PValue, 12);
        Assert.Equal(0.6, test.MeanDifference, 12);
    }

    [Fact]
    public void TheSignFlipTestMatchesExactEnumeration()
    {
        // Per-problem means over three seeds; the exact two-sided p over all 2^11 sign patterns of the 11 non-zero
        // differences is 200 / 2048 = 0.09765625 (enumerated independently in Python).
        double[] first = [1, 1, 0, 2 / 3.0, 1, 1 / 3.0, 0, 2 / 3.0, 1 / 3.0, 1, 1, 0];
        double[] second = [0, 1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 1 / 3.0, 2 / 3.0, 1 / 3.0, 0, 1 / 3.0, 0, 1 / 3.0];
        var test = PairedTest.Of(first, second);
        Assert.False(test.IsMcNemar);
        Assert.InRange(test.PValue, 0.09765625 - 0.01, 0.09765625 + 0.01);
        // Swapping the methods mirrors the difference and keeps the p-value; the seed makes it repeat exactly.
        var swapped = PairedTest.Of(second, first);
        Assert.Equal(-test.MeanDifference, swapped.MeanDifference, 12);
        Assert.Equal(test.PValue, PairedTest.Of(first, second).PValue);
        Assert.InRange(swapped.PValue, 0.09765625 - 0.01, 0.09765625 + 0.01);
    }

    [Fact]
    public void NoDifferenceIsNoEvidence()
    {
        double[] scores = [0.5, 1 / 3.0, 1, 0];
        Assert.Equal(1.0, PairedTest.Of(scores, scores).PValue);
        Assert.Throws<ArgumentException>(() => PairedTest.Of([1.0], [1.0, 0.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedTest.Of([1.5], [1.0]));
    }

    /// <summary>Outcomes of System 1 and MCTS on 30 problems, under each seed given; MCTS solves p0..p17, System 1 p10..p21.</summary>
    private static List<ProblemOutcome> Outcomes(params int[] seeds) =>
        seeds.SelectMany(seed => Enumerable.Range(0, 30).SelectMany(p => new[]
        {
            new ProblemOutcome(1, "system1", $"p{p}", p is >= 10 and < 22, seed, 20),
            new ProblemOutcome(1, "mcts", $"p{p}", p < 18, seed, 900),
        })).ToList();

    [Fact]
    public void PoolingThreeIdenticalSeedsGivesTheOneSeedAnswer()
    {
        var metrics = new[] { 0, 1, 2 }.SelectMany(_ => new[]
        {
            MetricsRow.Evaluation(1, "system1", 12, 30, generatedTokens: 600),
            MetricsRow.Evaluation(1, "mcts", 18, 30, generatedTokens: 27_000),
        }).ToList();
        var one = MethodResult.From(metrics.Take(2).ToList(), Outcomes(0));
        var three = MethodResult.From(metrics, Outcomes(0, 1, 2));

        Assert.Equal(one.Select(r => (r.Method, r.N, r.Accuracy, r.GeneratedTokensPerProblem)), three.Select(r => (r.Method, r.N, r.Accuracy, r.GeneratedTokensPerProblem)));
        Assert.Equal(Proportions.Wilson(18, 30), three.Single(r => r.Method == "mcts").Accuracy);
        Assert.Equal((1, 3), (one[0].Seeds, three[0].Seeds));

        PairedTest Test(List<ProblemOutcome> outcomes) =>
            ProblemScores.TopOne(outcomes, 1, "mcts")!.PairedWith(ProblemScores.TopOne(outcomes, 1, "system1")!);
        // 10 problems solved by MCTS alone (p0..p9), 4 by System 1 alone (p18..p21): one seed or three, n = 30.
        Assert.Equal(Test(Outcomes(0)), Test(Outcomes(0, 1, 2)));
        Assert.Equal((30, 10, 4), (Test(Outcomes(0, 1, 2)).Problems, Test(Outcomes(0, 1, 2)).OnlyFirst, Test(Outcomes(0, 1, 2)).OnlySecond));

        var summaryOne = ComputeComparison.Of(Outcomes(0), 1)!;
        var summaryThree = ComputeComparison.Of(Outcomes(0, 1, 2), 1)!;
        Assert.Equal(summaryOne.Points.Select(p => (p.Label, p.Scores.Accuracy, p.GeneratedTokensPerProblem)),
            summaryThree.Points.Select(p => (p.Label, p.Scores.Accuracy, p.GeneratedTokensPerProblem)));
    }

    [Fact]
    public void SeedsThatDisagreeNarrowTheIntervalButNeverBelowCountingProblemsOnce()
    {
        // Seed 1 flips problems p20..p29 for MCTS: 18 of 30 under seed 0, 28 under seed 1.
        var outcomes = Outcomes(0).Concat(Outcomes(1).Select(o => o.Method == "mcts" && o.ProblemId is var id && int.Parse(id[1..]) >= 20 ? o with { Correct = true } : o)).ToList();
        var scores = ProblemScores.TopOne(outcomes, 1, "mcts")!;
        Assert.Equal((30, 2, 60L), (scores.Problems, scores.Seeds, scores.Trials));
        var pooled = scores.Accuracy;
        Assert.Equal(46.0 / 60, pooled.Estimate, 12);
        // Narrower than 30 problems' interval at the same accuracy, wider than 60 independent searches'.
        double width = pooled.High - pooled.Low;
        Assert.InRange(width, Width(Proportions.WilsonAt(46.0 / 60, 60, Proportions.Z95)), Width(Proportions.WilsonAt(46.0 / 60, 30, Proportions.Z95)));
        var test = scores.PairedWith(ProblemScores.TopOne(outcomes, 1, "system1")!);
        Assert.False(test.IsMcNemar);
        Assert.Equal(30, test.Problems);
    }

    private static double Width(Reasoner.Experiments.Statistics.Interval interval) => interval.High - interval.Low;
}
