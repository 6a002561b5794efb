using System.Collections.Concurrent;

namespace Reasoner.Rewards.Countdown;

/// <summary>
/// Whether a multiset of numbers can still make a target with + - * / (each number used once, exact rationals): the
/// part of the state oracle that looks ahead. Memoised by multiset and target across calls, sub-states included, so
/// the few distinct states of Countdown-4 cost a dictionary lookup after their first visit. Thread-safe.
/// <para>
/// With non-negative numbers only larger-minus-smaller is tried, as the expert does: any expression's absolute value
/// can be built from the absolute values of its operands with non-negative intermediates (|a+b| is |a|+|b| or the
/// larger minus the smaller, |ab| = |a||b|, |a/b| = |a|/|b|), and a target is non-negative. A state holding a negative
/// number (a model may write <c>3 - 5 = -2</c>, which the verifier accepts) tries both orders.
/// </para>
/// </summary>
internal sealed class CountdownReachability
{
    /// <summary>Beyond this many remembered states (six-number problems can visit millions) answers are computed, not stored.</summary>
    private const int MaxRemembered = 500_000;

    private readonly ConcurrentDictionary<string, bool> _reachable = new(StringComparer.Ordinal);

    /// <summary>States remembered so far.</summary>
    public int Remembered => _reachable.Count;

    public bool CanReach(IReadOnlyList<Rational> numbers, Rational target)
    {
        var sorted = numbers.ToArray();
        Array.Sort(sorted);
        return Search(sorted, target);
    }

    private bool Search(Rational[] sorted, Rational target)
    {
        if (sorted.Length == 0) return false;
        if (sorted.Length == 1) return sorted[0] == target;
        var key = Key(sorted, target);
        if (_reachable.TryGetValue(key, out var known)) return known;
        var reachable = Explore(sorted, target);
        if (_reachable.Count < MaxRemembered) _reachable[key] = reachable;
        return reachable;
    }

    private bool Explore(Rational[] sorted, Rational target)
    {
        var bothOrders = sorted[0].Numerator < 0;
        var next = new Rational[sorted.Length - 1];
        for (var i = 0; i < sorted.Length; i++)
        {
            for (var j = i + 1; j < sorted.Length; j++)
            {
                // Equal pairs give equal children: the first pair of each value pair stands for all.
                if ((i > 0 && sorted[i] == sorted[i - 1]) || (j > i + 1 && sorted[j] == sorted[j - 1])) continue;
                var (small, large) = (sorted[i], sorted[j]);
                foreach (var (left, op, right) in Candidates(small, large, bothOrders))
                {
                    if (!Rational.TryApply(op, left, right, out var value)) continue;
                    Fill(next, sorted, i, j, value);
                    if (Search(next, target)) return true;
                }
            }
        }
        return false;
    }

    private static IEnumerable<(Rational Left, char Op, Rational Right)> Candidates(Rational small, Rational large, bool bothOrders)
    {
        yield return (small, '+', large);
        yield return (small, '*', large);
        yield return (large, '-', small);
        yield return (large, '/', small);
        yield return (small, '/', large);
        if (bothOrders) yield return (small, '-', large);
    }

    /// <summary>Writes the state without positions i and j, with <paramref name="value"/> inserted in order. The caller reuses
    /// <paramref name="next"/> for its next move: the search below keeps nothing of it but the string key.</summary>
    private static void Fill(Rational[] next, Rational[] state, int i, int j, Rational value)
    {
        var written = 0;
        var inserted = false;
        for (var k = 0; k < state.Length; k++)
        {
            if (k == i || k == j) continue;
            if (!inserted && state[k].CompareTo(value) > 0)
            {
                next[written++] = value;
                inserted = true;
            }
            next[written++] = state[k];
        }
        if (!inserted) next[written] = value;
    }

    private static string Key(Rational[] sorted, Rational target) => $"{string.Join(' ', sorted)}->{target}";
}
