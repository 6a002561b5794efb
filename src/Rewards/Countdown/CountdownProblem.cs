namespace Reasoner.Rewards.Countdown;

/// <summary>Reach <paramref name="Target"/> from <paramref name="Numbers"/> (ascending), each used once, with + - * /.</summary>
public sealed record CountdownProblem(string Id, IReadOnlyList<int> Numbers, int Target) : Problem(Id)
{
    /// <summary>The multiset and target, independent of how the problem was made: the split hash and de-duplication use it.</summary>
    internal string CanonicalKey => $"{string.Join(' ', Numbers)}->{Target}";

    internal static CountdownProblem Create(string idPrefix, IEnumerable<int> numbers, int target)
    {
        var sorted = numbers.Order().ToArray();
        return new CountdownProblem($"{idPrefix}-{string.Join('-', sorted)}-{target}", sorted, target);
    }
}
