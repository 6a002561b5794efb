using Reasoner.Rewards;

namespace Reasoner.Search.Metrics;

/// <summary>
/// How a search did on one problem, scored by the caller after the search (the search itself never sees the
/// verifier). Top-1, pass@k and maj@k are kept apart, as every report must name them apart.
/// </summary>
/// <param name="Correct">The chosen completion is correct (top-1).</param>
/// <param name="Samples">n, the candidates scored.</param>
/// <param name="CorrectSamples">c, the correct candidates.</param>
/// <param name="PassAtK">pass@k for each k asked, by Chen et al.'s unbiased estimator over the n candidates.</param>
/// <param name="MajorityAtK">maj@k for each k asked: the majority answer of the first k candidates is correct.</param>
public sealed record SearchScore(bool Correct, int Samples, int CorrectSamples,
    IReadOnlyDictionary<int, double> PassAtK, IReadOnlyDictionary<int, bool> MajorityAtK)
{
    /// <summary>Verifies the chosen completion and every candidate; k values above the candidate count are left out.</summary>
    public static SearchScore Of(ITask task, Problem problem, SearchResult result, IReadOnlyList<int> ks, RewardConfig? rewards = null)
    {
        rewards ??= new RewardConfig();
        var correct = result.Candidates.Select(c => task.Verify(problem, c.Completion, rewards).Correct).ToList();
        var answers = result.Candidates.Select(c => c.Answer).ToList();
        var n = correct.Count;
        var c = correct.Count(x => x);
        var usable = ks.Where(k => k >= 1 && k <= n).Distinct().ToList();
        return new SearchScore(
            task.Verify(problem, result.Completion, rewards).Correct, n, c,
            usable.ToDictionary(k => k, k => Metrics.PassAtK.Estimate(n, c, k)),
            usable.ToDictionary(k => k, k => MajorityVote.CorrectAtK(answers, correct, k)));
    }
}
