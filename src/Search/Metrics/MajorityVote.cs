namespace Reasoner.Search.Metrics;

/// <summary>Self-consistency (Wang et al. 2022): the most frequent answer among samples.</summary>
public static class MajorityVote
{
    /// <summary>
    /// Index of the first sample carrying the most frequent non-null answer; ties go to the answer seen first.
    /// Null when no sample has an answer.
    /// </summary>
    public static int? Winner(IReadOnlyList<string?> answers)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i] is not { } a) continue;
            counts[a] = counts.GetValueOrDefault(a) + 1;
            firstIndex.TryAdd(a, i);
        }
        if (counts.Count == 0) return null;
        var best = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => firstIndex[kv.Key]).First().Key;
        return firstIndex[best];
    }

    /// <summary>maj@k: whether the majority answer of the first k samples is correct (false when none answered).</summary>
    public static bool CorrectAtK(IReadOnlyList<string?> answers, IReadOnlyList<bool> correct, int k)
    {
        if (k < 1 || k > answers.Count) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be in [1, {answers.Count}].");
        return Winner(answers.Take(k).ToList()) is { } w && correct[w];
    }
}
