using Reasoner.Experiments.Metrics;
using Reasoner.Search.Metrics;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// maj@k, best-of-k and pass@k of one problem from one run of n samples, for any k up to n: the expected score of a
/// method that drew k samples, i.e. the mean over k-subsets of the n (Chen et al. 2021 for pass@k, in closed form; the
/// same averaging for the others). A subset keeps the samples' draw order, which breaks ties as the searches do. When
/// there are more than <see cref="MaxSubsets"/> subsets, that many are drawn at random without replacement of samples.
/// Expected cost is k/n of the run's, each sample being in k/n of the subsets.
/// </summary>
internal static class SampleSubsets
{
    /// <summary>Subsets averaged per k: with more, random ones; a per-problem estimate then has a standard error of at most 0.016.</summary>
    public const int MaxSubsets = 1000;

    /// <summary>
    /// Self-consistency: the most frequent answer of the subset, ties going to the answer seen first, scored by its first
    /// sample; no answer at all is wrong. The rule of <see cref="MajorityVote.Winner"/>, on answer ids.
    /// </summary>
    public static double MajorityAtK(SampledAnswers samples, int k, Random random)
    {
        var votes = new int[samples.Count];
        return Mean(samples, k, random, subset =>
        {
            Array.Clear(votes);
            foreach (int i in subset)
            {
                if (samples.Answers[i] != SampledAnswers.NoAnswer)
                {
                    votes[samples.Answers[i]]++;
                }
            }
            // In draw order, an answer replaces the leader only with strictly more votes: ties stay with the answer seen first,
            // and the leader's first sample is the one scored.
            int chosen = -1;
            foreach (int i in subset)
            {
                int answer = samples.Answers[i];
                if (answer != SampledAnswers.NoAnswer && (chosen < 0 || votes[answer] > votes[samples.Answers[chosen]]))
                {
                    chosen = i;
                }
            }
            return chosen >= 0 && samples.Correct[chosen];
        });
    }

    /// <summary>
    /// Best-of-k by value: the subset's highest-valued scored sample (ties: the first); a subset with no scored sample
    /// falls back to its first sample, as best-of-n does.
    /// </summary>
    public static double BestAtK(SampledAnswers samples, int k, Random random) =>
        Mean(samples, k, random, subset =>
        {
            int chosen = subset[0];
            double? best = null;
            foreach (int i in subset)
            {
                if (samples.Values[i] is { } value && (best is null || value > best))
                {
                    (best, chosen) = (value, i);
                }
            }
            return samples.Correct[chosen];
        });

    /// <summary>pass@k: any of k samples correct, by Chen et al.'s unbiased estimator (an oracle bound, not a method).</summary>
    public static double PassAtK(SampledAnswers samples, int k)
    {
        CheckK(samples, k);
        return PassAtK(samples.Count, samples.Correct.Count(c => c), k);
    }

    private static double PassAtK(int n, int correct, int k) => Search.Metrics.PassAtK.Estimate(n, correct, k);

    private static double Mean(SampledAnswers samples, int k, Random random, Func<int[], bool> correct)
    {
        CheckK(samples, k);
        int n = samples.Count;
        int hits = 0, subsets = 0;
        if (Binomial(n, k) <= MaxSubsets)
        {
            var subset = Enumerable.Range(0, k).ToArray();
            do
            {
                hits += correct(subset) ? 1 : 0;
                subsets++;
            }
            while (NextCombination(subset, n));
        }
        else
        {
            var indices = Enumerable.Range(0, n).ToArray();
            var subset = new int[k];
            for (; subsets < MaxSubsets; subsets++)
            {
                // A partial Fisher-Yates shuffle picks k distinct samples; sorting restores their draw order.
                for (int i = 0; i < k; i++)
                {
                    int j = random.Next(i, n);
                    (indices[i], indices[j]) = (indices[j], indices[i]);
                    subset[i] = indices[i];
                }
                Array.Sort(subset);
                hits += correct(subset) ? 1 : 0;
            }
        }
        return (double)hits / subsets;
    }

    private static void CheckK(SampledAnswers samples, int k)
    {
        if (k < 1 || k > samples.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie in [1, {samples.Count}], the samples drawn");
        }
    }

    /// <summary>The next k-subset of 0..n-1 in lexicographic order; false after the last.</summary>
    private static bool NextCombination(int[] subset, int n)
    {
        int k = subset.Length;
        int i = k - 1;
        while (i >= 0 && subset[i] == n - k + i)
        {
            i--;
        }
        if (i < 0)
        {
            return false;
        }
        subset[i]++;
        for (int j = i + 1; j < k; j++)
        {
            subset[j] = subset[j - 1] + 1;
        }
        return true;
    }

    /// <summary>C(n, k) = C(n, m) with m = min(k, n - k), as a double (it only decides between enumerating and drawing).</summary>
    internal static double Binomial(int n, int k)
    {
        int m = Math.Min(k, n - k);
        double count = 1;
        for (int i = 1; i <= m; i++)
        {
            count = count * (n - m + i) / i;
        }
        return count;
    }

}
