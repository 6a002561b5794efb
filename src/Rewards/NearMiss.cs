namespace Reasoner.Rewards;

/// <summary>Near misses made by changing one ASCII digit of a line, the slip a small model makes most.</summary>
internal static class NearMiss
{
    /// <summary>
    /// For each part [start, end) of <paramref name="line"/> that holds a digit, the line with one of its digits (drawn at
    /// random) replaced by another digit; parts without digits give nothing. Distinct, never the line itself.
    /// </summary>
    public static IReadOnlyList<string> Of(string line, IReadOnlyList<(int Start, int End)> parts, Random random)
    {
        var misses = new List<string>(parts.Count);
        foreach (var (start, end) in parts)
        {
            var digits = Enumerable.Range(start, Math.Max(0, Math.Min(end, line.Length) - start)).Where(i => Rational.IsAsciiDigit(line[i])).ToList();
            if (digits.Count == 0) continue;
            var at = digits[random.Next(digits.Count)];
            var digit = (char)('0' + (line[at] - '0' + 1 + random.Next(9)) % 10);
            misses.Add(line[..at] + digit + line[(at + 1)..]);
        }
        return misses.Distinct(StringComparer.Ordinal).Where(m => m != line).ToList();
    }
}
