using System.Globalization;

namespace Reasoner.Rewards;

/// <summary>
/// An exact fraction over checked 64-bit integers, always in lowest terms with a positive denominator.
/// Model output can ask for anything, so every operation is a Try: overflow or division by zero gives false, never a crash.
/// </summary>
internal readonly record struct Rational(long Numerator, long Denominator) : IComparable<Rational>
{
    /// <summary>Literals longer than this are rejected before parsing: 12 digits keep every product of two in range.</summary>
    public const int MaxDigits = 12;

    public static Rational FromInteger(long value) => new(value, 1);

    public bool IsInteger => Denominator == 1;

    public static bool TryCreate(long numerator, long denominator, out Rational result)
    {
        result = default;
        if (denominator == 0 || numerator == long.MinValue || denominator == long.MinValue)
        {
            return false;
        }
        var gcd = Gcd(Math.Abs(numerator), Math.Abs(denominator));
        var sign = denominator < 0 ? -1 : 1;
        result = new Rational(sign * (numerator / gcd), sign * (denominator / gcd));
        return true;
    }

    /// <summary>Applies one of + - * / exactly; false on overflow, division by zero or an unknown operator.</summary>
    public static bool TryApply(char op, Rational left, Rational right, out Rational result)
    {
        result = default;
        try
        {
            checked
            {
                return op switch
                {
                    '+' => TryCreate(left.Numerator * right.Denominator + right.Numerator * left.Denominator, left.Denominator * right.Denominator, out result),
                    '-' => TryCreate(left.Numerator * right.Denominator - right.Numerator * left.Denominator, left.Denominator * right.Denominator, out result),
                    '*' => TryCreate(left.Numerator * right.Numerator, left.Denominator * right.Denominator, out result),
                    '/' => right.Numerator != 0 && TryCreate(left.Numerator * right.Denominator, left.Denominator * right.Numerator, out result),
                    _ => false,
                };
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads <c>-?digits(/digits)?</c> starting at <paramref name="position"/> of an ASCII line, advancing past it.
    /// Only ASCII digits count (no Unicode look-alikes); a literal over <see cref="MaxDigits"/> digits is rejected.
    /// </summary>
    public static bool TryRead(string text, ref int position, bool allowFraction, out Rational value)
    {
        value = default;
        var start = position;
        var negative = position < text.Length && text[position] == '-';
        var cursor = negative ? position + 1 : position;
        if (!TryReadDigits(text, ref cursor, out var numerator))
        {
            return false;
        }
        long denominator = 1;
        if (allowFraction && cursor + 1 < text.Length && text[cursor] == '/' && IsAsciiDigit(text[cursor + 1]))
        {
            cursor++;
            if (!TryReadDigits(text, ref cursor, out denominator))
            {
                return false;
            }
        }
        if (!TryCreate(negative ? -numerator : numerator, denominator, out value))
        {
            position = start;
            return false;
        }
        position = cursor;
        return true;
    }

    private static bool TryReadDigits(string text, ref int position, out long value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && IsAsciiDigit(text[position]))
        {
            if (position - start >= MaxDigits)
            {
                return false;
            }
            value = value * 10 + (text[position] - '0');
            position++;
        }
        return position > start;
    }

    public static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a == 0 ? 1 : a;
    }

    public int CompareTo(Rational other) =>
        ((Int128)Numerator * other.Denominator).CompareTo((Int128)other.Numerator * Denominator);

    /// <summary>Integers print as <c>12</c>, fractions as <c>8/3</c> (the step format of Countdown).</summary>
    public override string ToString() => IsInteger
        ? Numerator.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Numerator}/{Denominator}");
}
