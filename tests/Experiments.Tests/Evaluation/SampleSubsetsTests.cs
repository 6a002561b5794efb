using FsCheck;
using FsCheck.Fluent;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Search.Metrics;

namespace Reasoner.Experiments.Tests.Evaluation;

/// <summary>maj@k, best-of-k and pass@k from subsets of one run of n samples.</summary>
public class SampleSubsetsTests
{
    /// <summary>n samples: answers among "24", "23", "25" or none, "24" correct (a sample's verdict follows its answer), values in [0, 1] or unscored.</summary>
    private static readonly Arbitrary<SampledAnswers> Runs = Gen.Choose(1, 9).SelectMany(n =>
        Gen.ArrayOf(Gen.Choose(-1, 2).SelectMany(a => Gen.Choose(-1, 100).Select(v => (Answer: a, Value: v))), n)).Select(samples =>
        SampledAnswers.Of(samples.Select(s => (s.Answer < 0 ? null : (24 + s.Answer).ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.Answer == 0, s.Value < 0 ? double.NaN : s.Value / 100.0)))).ToArbitrary();

    /// <summary>The reference: every k-subset (in draw order) enumerated, the search's own rule applied to it.</summary>
    private static double Enumerated(SampledAnswers samples, int k, Func<int[], bool> correct)
    {
        var subsets = Subsets(samples.Count, k).ToList();
        return subsets.Average(s => correct(s) ? 1.0 : 0.0);
    }

    private static IEnumerable<int[]> Subsets(int n, int k) =>
        k == 0 ? [[]] : Enumerable.Range(0, n).SelectMany(first => Subsets(n - first - 1, k - 1).Select(rest => rest.Select(r => r + first + 1).Prepend(first).ToArray()));

    private static string? Answer(SampledAnswers samples, int i) => samples.Answers[i] < 0 ? null : $"a{samples.Answers[i]}";

    [Fact]
    public void MajorityAtKIsMajorityVoteAveragedOverEverySubset() =>
        Prop.ForAll(Runs, samples => Enumerable.Range(1, samples.Count).All(k =>
        {
            double reference = Enumerated(samples, k, subset =>
                MajorityVote.Winner(subset.Select(i => Answer(samples, i)).ToList()) is { } w && samples.Correct[subset[w]]);
            return Math.Abs(SampleSubsets.MajorityAtK(samples, k, new Random(0)) - reference) < 1e-12;
        })).QuickCheckThrowOnFailure();

    [Fact]
    public void BestAtKTakesTheHighestValuedScoredSampleOfEachSubset() =>
        Prop.ForAll(Runs, samples => Enumerable.Range(1, samples.Count).All(k =>
        {
            double reference = Enumerated(samples, k, subset =>
            {
                var scored = subset.Where(i => samples.Values[i] is not null).ToList();
                // As best-of-n: the highest value, the first of equals; nothing scored falls back to the first sample.
                int chosen = scored.Count == 0 ? subset[0] : scored.OrderByDescending(i => samples.Values[i]).ThenBy(i => i).First();
                return samples.Correct[chosen];
            });
            return Math.Abs(SampleSubsets.BestAtK(samples, k, new Random(0)) - reference) < 1e-12;
        })).QuickCheckThrowOnFailure();

    [Fact]
    public void PassAtKIsAnyCorrectSubsetAndOneSampleIsTheFractionCorrect() =>
        Prop.ForAll(Runs, samples => Enumerable.Range(1, samples.Count).All(k =>
            Math.Abs(SampleSubsets.PassAtK(samples, k) - Enumerated(samples, k, subset => subset.Any(i => samples.Correct[i]))) < 1e-12)
            && Math.Abs(SampleSubsets.MajorityAtK(samples, 1, new Random(0)) - samples.Correct.Average(c => c ? 1.0 : 0.0)) < 1e-12)
        .QuickCheckThrowOnFailure();

    [Fact]
    public void ManySubsetsAreDrawnAndStayCloseToAllOfThem()
    {
        // 16 samples, k = 8: 12,870 subsets, more than are enumerated; 1,000 drawn ones estimate the mean.
        var random = new Random(5);
        var samples = SampledAnswers.Of(Enumerable.Range(0, 16).Select(_ => random.Next(3) switch
        {
            0 => ("24", true, random.NextDouble()),
            1 => ("23", false, random.NextDouble()),
            _ => ((string?)null, false, double.NaN),
        }));
        double exact = Enumerated(samples, 8, subset =>
        {
            var answers = subset.Select(i => Answer(samples, i)).ToList();
            return MajorityVote.Winner(answers) is { } w && samples.Correct[subset[w]];
        });
        double drawn = SampleSubsets.MajorityAtK(samples, 8, new Random(1));
        Assert.InRange(drawn, exact - 0.05, exact + 0.05);
        Assert.Equal(drawn, SampleSubsets.MajorityAtK(samples, 8, new Random(1)));
    }

    [Theory]
    [InlineData(100, 3, 161_700)]
    [InlineData(100, 97, 161_700)]
    [InlineData(100, 96, 3_921_225)]
    [InlineData(100, 99, 100)]
    [InlineData(100, 100, 1)]
    [InlineData(9, 4, 126)]
    public void TheSubsetCountIsTheBinomialCoefficientOnBothSidesOfHalf(int n, int k, double expected) =>
        // k close to n once read as C(2(n - k), n - k): 96 of 100 samples as 70 subsets, so all 3.9 million were
        // enumerated for each problem and a run's report never finished.
        Assert.Equal(expected, SampleSubsets.Binomial(n, k), 6);

    [Fact]
    public void AnswersBecomeIdsInOrderOfFirstAppearanceAndKIsChecked()
    {
        var samples = SampledAnswers.Of([("7", false, 0.2), (null, false, double.NaN), ("5", true, 0.9), ("7", false, 0.1)]);
        Assert.Equal([0, SampledAnswers.NoAnswer, 1, 0], samples.Answers);
        Assert.Equal([0.2, null, 0.9, 0.1], samples.Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSubsets.MajorityAtK(samples, 5, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSubsets.PassAtK(samples, 0));
        // maj@4: "7" twice beats "5" once and is wrong; best-of-4: 0.9 picks "5", right.
        Assert.Equal(0.0, SampleSubsets.MajorityAtK(samples, 4, new Random(0)));
        Assert.Equal(1.0, SampleSubsets.BestAtK(samples, 4, new Random(0)));
    }
}
