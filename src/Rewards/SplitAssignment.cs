using System.Text;

namespace Reasoner.Rewards;

/// <summary>
/// Which split a generated problem belongs to, decided by a stable hash of its canonical key: train and test are
/// disjoint by construction, whatever the seeds, and the assignment never changes between runs or machines.
/// </summary>
internal static class SplitAssignment
{
    /// <summary>One problem in ten is held out for test.</summary>
    public const int TestOneIn = 10;

    public static Split Of(string canonicalKey) => Fnv1a(canonicalKey) % TestOneIn == 0 ? Split.Test : Split.Train;

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>
    /// Draws candidates until <paramref name="count"/> distinct ones of <paramref name="split"/> are found. The attempt
    /// bound turns a request larger than the problem space into an error instead of an endless loop.
    /// </summary>
    public static List<T> Collect<T>(Split split, int count, Func<T?> drawCandidate, Func<T, string> canonicalKey, Func<T, bool>? excluded = null)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var problems = new List<T>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var attemptsLeft = 2000L + 200L * count;
        while (problems.Count < count)
        {
            if (attemptsLeft-- == 0)
            {
                throw new ArgumentException($"could only find {problems.Count} distinct {split} problems of {count} requested with these difficulty options");
            }
            var candidate = drawCandidate();
            if (candidate is null)
            {
                continue;
            }
            var key = canonicalKey(candidate);
            if (Of(key) != split || (excluded?.Invoke(candidate) ?? false) || !seen.Add(key))
            {
                continue;
            }
            problems.Add(candidate);
        }
        return problems;
    }
}
