namespace Reasoner.Rewards.Countdown;

/// <summary>
/// An arithmetic expression over integer leaves: the answer line of Countdown, and the expert's bookkeeping.
/// A node is a leaf (<see cref="Op"/> is '\0') or a binary operation of two children.
/// </summary>
internal sealed class CountdownExpression
{
    /// <summary>Deeper nesting than any answer of six numbers needs; the cap keeps recursive parsing bounded.</summary>
    private const int MaxDepth = 16;

    public Rational Value { get; }
    public char Op { get; }
    public CountdownExpression? Left { get; }
    public CountdownExpression? Right { get; }

    private CountdownExpression(Rational value, char op, CountdownExpression? left, CountdownExpression? right)
    {
        Value = value;
        Op = op;
        Left = left;
        Right = right;
    }

    public static CountdownExpression Leaf(Rational value) => new(value, '\0', null, null);

    public static CountdownExpression? Combine(char op, CountdownExpression left, CountdownExpression right) =>
        Rational.TryApply(op, left.Value, right.Value, out var value) ? new CountdownExpression(value, op, left, right) : null;

    public bool IsLeaf => Op == '\0';

    public IEnumerable<Rational> Leaves()
    {
        if (IsLeaf)
        {
            yield return Value;
            yield break;
        }
        foreach (var leaf in Left!.Leaves().Concat(Right!.Leaves()))
        {
            yield return leaf;
        }
    }

    /// <summary>Every binary operation of the tree, as the steps would write them (see <see cref="CountdownOperation.Of"/>).</summary>
    public IEnumerable<CountdownOperation> Operations()
    {
        if (IsLeaf)
        {
            yield break;
        }
        foreach (var operation in Left!.Operations().Concat(Right!.Operations()))
        {
            yield return operation;
        }
        yield return CountdownOperation.Of(Left.Value, Op, Right.Value, Value);
    }

    /// <summary>
    /// Writes the expression with the fewest parentheses that keep its exact tree: a right operand of equal
    /// precedence keeps its parentheses, so <c>4 + (8 + 6)</c> and <c>4 + 8 + 6</c> stay different answers.
    /// </summary>
    public override string ToString() => IsLeaf ? Value.ToString() : $"{Operand(Left!, false)} {Op} {Operand(Right!, true)}";

    private string Operand(CountdownExpression child, bool isRight)
    {
        if (child.IsLeaf)
        {
            return child.ToString();
        }
        var needsParentheses = Precedence(child.Op) < Precedence(Op) || (isRight && Precedence(child.Op) == Precedence(Op));
        return needsParentheses ? $"({child})" : child.ToString();
    }

    private static int Precedence(char op) => op is '*' or '/' ? 2 : 1;

    /// <summary>
    /// Parses <c>expression = value</c> (integers, + - * /, parentheses, ASCII spaces; no unary minus).
    /// Returns false on any syntax error; <paramref name="expression"/> is null when the syntax is right but the
    /// arithmetic is impossible (division by zero, overflow).
    /// </summary>
    public static bool TryParseEquation(string text, out CountdownExpression? expression, out Rational claimed)
    {
        claimed = default;
        var parser = new Parser(text);
        expression = null;
        if (!parser.TryExpression(0, out var parsed, out var arithmeticOk))
        {
            return false;
        }
        parser.SkipSpaces();
        if (!parser.Accept('='))
        {
            return false;
        }
        parser.SkipSpaces();
        if (!parser.TryNumber(allowFraction: true, out claimed))
        {
            return false;
        }
        parser.SkipSpaces();
        if (!parser.AtEnd)
        {
            return false;
        }
        expression = arithmeticOk ? parsed : null;
        return true;
    }

    /// <summary>A recursive-descent parser; recursion is bounded by <see cref="MaxDepth"/> and work is linear in the text.</summary>
    private sealed class Parser(string text)
    {
        private int _position;

        public bool AtEnd => _position == text.Length;

        public void SkipSpaces()
        {
            while (_position < text.Length && text[_position] == ' ')
            {
                _position++;
            }
        }

        public bool Accept(char c)
        {
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        public bool TryNumber(bool allowFraction, out Rational value) => Rational.TryRead(text, ref _position, allowFraction, out value);

        // Evaluation happens while parsing; an impossible operation still parses (arithmeticOk = false) so that
        // "well-formed but wrong" can be told apart from malformed.
        public bool TryExpression(int depth, out CountdownExpression? result, out bool arithmeticOk) =>
            TryChain(depth, ['+', '-'], TryTerm, out result, out arithmeticOk);

        private bool TryTerm(int depth, out CountdownExpression? result, out bool arithmeticOk) =>
            TryChain(depth, ['*', '/'], TryFactor, out result, out arithmeticOk);

        private delegate bool Operand(int depth, out CountdownExpression? result, out bool arithmeticOk);

        private bool TryChain(int depth, char[] ops, Operand operand, out CountdownExpression? result, out bool arithmeticOk)
        {
            if (!operand(depth, out result, out arithmeticOk))
            {
                return false;
            }
            while (true)
            {
                var save = _position;
                SkipSpaces();
                if (_position >= text.Length || Array.IndexOf(ops, text[_position]) < 0)
                {
                    _position = save;
                    return true;
                }
                var op = text[_position++];
                if (!operand(depth, out var right, out var rightOk))
                {
                    return false;
                }
                arithmeticOk &= rightOk;
                result = arithmeticOk ? Combine(op, result!, right!) : null;
                arithmeticOk &= result is not null;
            }
        }

        private bool TryFactor(int depth, out CountdownExpression? result, out bool arithmeticOk)
        {
            result = null;
            arithmeticOk = false;
            SkipSpaces();
            if (Accept('('))
            {
                if (depth >= MaxDepth || !TryExpression(depth + 1, out result, out arithmeticOk))
                {
                    return false;
                }
                SkipSpaces();
                return Accept(')');
            }
            if (_position < text.Length && text[_position] == '-')
            {
                return false;
            }
            if (!TryNumber(allowFraction: false, out var value))
            {
                return false;
            }
            result = Leaf(value);
            arithmeticOk = true;
            return true;
        }
    }
}

/// <summary>One binary operation with its result; + and * are stored with the smaller operand first, so order does not matter.</summary>
internal readonly record struct CountdownOperation(Rational Left, char Op, Rational Right, Rational Result)
{
    public static CountdownOperation Of(Rational left, char op, Rational right, Rational result) =>
        op is '+' or '*' && right.CompareTo(left) < 0 ? new(right, op, left, result) : new(left, op, right, result);
}
