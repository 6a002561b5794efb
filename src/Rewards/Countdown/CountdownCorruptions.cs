namespace Reasoner.Rewards.Countdown;

/// <summary>
/// Near misses of a legal Countdown line, one of each kind a careless solver writes: wrong arithmetic, a false claim of
/// the target, a number that is not left, a number used twice, a wrong "left:" list; for an answer line, an expression
/// with one number or operator changed. Negatives for a value model that must read a step's arithmetic; whether each is
/// really wrong is the oracle's call (a changed number can happen to be legal too).
/// </summary>
internal static class CountdownCorruptions
{
    private static readonly char[] Operators = ['+', '-', '*', '/'];

    public static IReadOnlyList<string> Of(CountdownProblem problem, IReadOnlyList<string> steps, string line, Random random)
    {
        if (CompletionLines.IsAnswerLine(line)) return AnswerLine(line, random);
        var left = NumbersLeft(problem, steps);
        if (left is null || !TryParse(line, out var a, out var op, out var b, out var result)) return [];
        var target = Rational.FromInteger(problem.Target);
        var corruptions = new List<string>();
        // The result off by a little (or another operation's result), the rest consistent with it.
        var wrong = Rational.TryApply('+', result, Rational.FromInteger(random.Next(2) == 0 ? -1 - random.Next(3) : 1 + random.Next(3)), out var off) ? off : result;
        corruptions.Add(Step(left, a, op, b, wrong));
        if (result != target) corruptions.Add(Step(left, a, op, b, target));
        // A number that is not left, with honest arithmetic on it.
        var absent = Rational.FromInteger(1 + random.Next(13));
        for (var tries = 0; left.Contains(absent) && tries < 20; tries++) absent = Rational.FromInteger(1 + random.Next(25));
        if (!left.Contains(absent) && Rational.TryApply(op, absent, b, out var withAbsent)) corruptions.Add(Step(left, absent, op, b, withAbsent, a));
        // The same number twice when it is left once.
        if (left.Count(n => n == a) == 1 && Rational.TryApply(op, a, a, out var twice)) corruptions.Add(Step(left, a, op, a, twice, a, b));
        // Right arithmetic, wrong list: a number dropped, or one changed.
        var after = After(left, a, b, result);
        if (after.Count > 1)
        {
            var dropped = after.ToList();
            dropped.RemoveAt(random.Next(dropped.Count));
            corruptions.Add(Line(a, op, b, result, dropped));
        }
        var changed = after.ToList();
        var at = random.Next(changed.Count);
        if (Rational.TryApply('+', changed[at], Rational.FromInteger(1 + random.Next(2)), out var bumped)) changed[at] = bumped;
        corruptions.Add(Line(a, op, b, result, changed));
        return corruptions.Distinct(StringComparer.Ordinal).Where(c => c != line).ToList();
    }

    /// <summary>One digit of a leaf changed, or one operator changed.</summary>
    private static IReadOnlyList<string> AnswerLine(string line, Random random)
    {
        var equals = line.LastIndexOf('=');
        var corruptions = NearMiss.Of(line, [(0, equals)], random).ToList();
        var operators = Enumerable.Range(0, Math.Max(0, equals)).Where(i => Array.IndexOf(Operators, line[i]) >= 0).ToList();
        if (operators.Count > 0)
        {
            var at = operators[random.Next(operators.Count)];
            var others = Operators.Where(o => o != line[at]).ToArray();
            corruptions.Add(line[..at] + others[random.Next(others.Length)] + line[(at + 1)..]);
        }
        return corruptions.Where(c => c != line).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The numbers left after legal steps, or null when a step does not replay.</summary>
    private static List<Rational>? NumbersLeft(CountdownProblem problem, IReadOnlyList<string> steps)
    {
        var left = problem.Numbers.Select(n => Rational.FromInteger(n)).ToList();
        foreach (var step in steps)
        {
            if (!TryParse(step, out var a, out _, out var b, out var result)) return null;
            if (!left.Remove(a) || !left.Remove(b))
            {
                return null;
            }
            left.Add(result);
        }
        return left;
    }

    /// <summary>The list after taking <paramref name="a"/> and <paramref name="b"/> (where present) and adding the result, ascending.</summary>
    private static List<Rational> After(List<Rational> left, Rational a, Rational b, Rational result, params Rational[] taken)
    {
        var after = left.ToList();
        foreach (var number in taken.Length > 0 ? taken : [a, b]) after.Remove(number);
        after.Add(result);
        after.Sort();
        return after;
    }

    /// <summary>A step line whose "left:" list follows from what it claims, the numbers in <paramref name="taken"/> removed.</summary>
    private static string Step(List<Rational> left, Rational a, char op, Rational b, Rational result, params Rational[] taken) =>
        Line(a, op, b, result, After(left, a, b, result, taken));

    private static string Line(Rational a, char op, Rational b, Rational result, IEnumerable<Rational> left) =>
        $"{a} {op} {b} = {result} (left: {string.Join(' ', left)})";

    /// <summary>The operands, operator and result of a step line as the expert writes it; false for anything else.</summary>
    private static bool TryParse(string line, out Rational a, out char op, out Rational b, out Rational result)
    {
        (a, op, b, result) = (default, ' ', default, default);
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || parts[1].Length != 1 || Array.IndexOf(Operators, parts[1][0]) < 0 || parts[3] != "=") return false;
        op = parts[1][0];
        return Read(parts[0], out a) && Read(parts[2], out b) && Read(parts[4], out result);
    }

    private static bool Read(string text, out Rational value)
    {
        var position = 0;
        return Rational.TryRead(text, ref position, allowFraction: true, out value) && position == text.Length;
    }
}
