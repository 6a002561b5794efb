using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace Reasoner.Rewards.Arithmetic;

/// <summary>Add or multiply two non-negative integers; <paramref name="Operation"/> is '+' or '*'.</summary>
public sealed record ArithmeticProblem(string Id, char Operation, long Left, long Right) : Problem(Id)
{
    internal string CanonicalKey => $"{Left}{Operation}{Right}";

    internal static ArithmeticProblem Create(char operation, long left, long right) =>
        new($"arithmetic-{left}{(operation == '+' ? "plus" : "times")}{right}", operation, left, right);
}

/// <summary>Difficulty of arithmetic problems: the operation and the digits of each operand.</summary>
/// <param name="Operation">"add", "multiply" or "mixed" (each problem picks one at random).</param>
/// <param name="RightDigits">Digits of the second operand; null means the same as <paramref name="Digits"/>.</param>
public sealed record ArithmeticOptions(string Operation = "add", int Digits = 3, int? RightDigits = null)
{
    /// <summary>Operands fit in a long; their product, up to 36 digits, is checked with BigInteger.</summary>
    public const int MaxDigits = 18;

    public void Validate()
    {
        if (Operation is not ("add" or "multiply" or "mixed"))
        {
            throw new ArgumentException($"arithmetic option operation = \"{Operation}\" must be add, multiply or mixed");
        }
        foreach (var (name, value) in new[] { ("digits", Digits), ("right-digits", RightDigits ?? Digits) })
        {
            if (value is < 1 or > MaxDigits)
            {
                throw new ArgumentException($"arithmetic option {name} = {value} is out of range (1 to {MaxDigits})");
            }
        }
    }
}

/// <summary>
/// Multi-digit addition and multiplication with the working written out, one verifiable step a line.
/// Addition, one digit column a step from the right: <c>8+6+0=14 -> 4</c> (digits, carry in, column sum, the answer
/// digits so far; the last column writes its whole sum). Multiplication: one partial product a step
/// (<c>478*50=23900</c>), then their running sum (<c>2868+23900=26768</c>). Prompt <c>478+356</c>; answer <c>Answer: 834</c>.
/// </summary>
public sealed class ArithmeticTask : ITask
{
    internal const string AlphabetChars = "\n *+-0123456789:=>Aenrsw";

    private readonly ArithmeticOptions _options;

    public ArithmeticTask(ArithmeticOptions? options = null)
    {
        _options = options ?? new ArithmeticOptions();
        _options.Validate();
    }

    public string Name => "arithmetic";

    public string Alphabet => AlphabetChars;

    public IReadOnlyList<Problem> Generate(Split split, int count, int seed)
    {
        var random = new Random(seed);
        return SplitAssignment.Collect(split, count, () => Draw(random), p => p.CanonicalKey);
    }

    private ArithmeticProblem Draw(Random random)
    {
        var operation = _options.Operation switch
        {
            "add" => '+',
            "multiply" => '*',
            _ => random.Next(2) == 0 ? '+' : '*',
        };
        return ArithmeticProblem.Create(operation, Operand(random, _options.Digits), Operand(random, _options.RightDigits ?? _options.Digits));
    }

    /// <summary>Exactly <paramref name="digits"/> digits (a one-digit operand may be 0).</summary>
    private static long Operand(Random random, int digits)
    {
        var low = digits == 1 ? 0 : (long)Math.Pow(10, digits - 1);
        return random.NextInt64(low, (long)Math.Pow(10, digits));
    }

    public string Prompt(Problem problem)
    {
        var p = As(problem);
        return $"{p.Left}{p.Operation}{p.Right}\n";
    }

    public IReadOnlyList<string> Solve(Problem problem)
    {
        var p = As(problem);
        var lines = ExpectedSteps(p).Select(step => step.ToString()).ToList();
        lines.Add($"{CompletionLines.AnswerPrefix} {Result(p)}");
        return lines;
    }

    private static BigInteger Result(ArithmeticProblem p) => p.Operation == '+' ? (BigInteger)p.Left + p.Right : (BigInteger)p.Left * p.Right;

    /// <summary>A step of the working: <c>a+b+c=s -> partial</c> (addition) or <c>a*b=c</c> / <c>a+b=c</c> (multiplication).</summary>
    private sealed record Step(BigInteger[] Operands, char Op, BigInteger Result, string? Partial)
    {
        public override string ToString() =>
            $"{string.Join(Op, Operands)}={Result}{(Partial is null ? "" : $" -> {Partial}")}";

        public bool SameAs(Step other) => Op == other.Op && Operands.SequenceEqual(other.Operands) && Result == other.Result && Partial == other.Partial;
    }

    private static List<Step> ExpectedSteps(ArithmeticProblem p)
    {
        var steps = new List<Step>();
        var left = p.Left.ToString(CultureInfo.InvariantCulture);
        var right = p.Right.ToString(CultureInfo.InvariantCulture);
        if (p.Operation == '+')
        {
            var columns = Math.Max(left.Length, right.Length);
            var carry = 0;
            var partial = "";
            for (var column = 0; column < columns; column++)
            {
                int a = DigitAt(left, column), b = DigitAt(right, column);
                var sum = a + b + carry;
                partial = (column == columns - 1 ? sum.ToString(CultureInfo.InvariantCulture) : (sum % 10).ToString(CultureInfo.InvariantCulture)) + partial;
                steps.Add(new Step([a, b, carry], '+', sum, partial));
                carry = sum / 10;
            }
            return steps;
        }
        var partials = new List<BigInteger>();
        for (var position = 0; position < right.Length; position++)
        {
            var multiplier = DigitAt(right, position) * BigInteger.Pow(10, position);
            partials.Add(p.Left * multiplier);
            steps.Add(new Step([p.Left, multiplier], '*', p.Left * multiplier, null));
        }
        var total = partials[0];
        foreach (var product in partials.Skip(1))
        {
            steps.Add(new Step([total, product], '+', total + product, null));
            total += product;
        }
        return steps;
    }

    private static int DigitAt(string number, int column) => column < number.Length ? number[number.Length - 1 - column] - '0' : 0;

    public int MaxSteps(Problem problem)
    {
        var p = As(problem);
        var right = p.Right.ToString(CultureInfo.InvariantCulture).Length;
        return (p.Operation == '+' ? Math.Max(p.Left.ToString(CultureInfo.InvariantCulture).Length, right) : 2 * right - 1) + 1;
    }

    public bool IsAnswerLine(string line) => CompletionLines.IsAnswerLine(line);

    public ParsedCompletion Parse(string completion)
    {
        var lines = CompletionLines.Split(completion);
        return new ParsedCompletion(lines.Steps, lines.AnswerLine is null ? null : CanonicalAnswer(lines.AnswerLine));
    }

    /// <summary>The answer as a number without leading zeros, or the answer text without spaces when it is not a number.</summary>
    private static string CanonicalAnswer(string answerLine)
    {
        var body = string.Concat(answerLine.Trim()[CompletionLines.AnswerPrefix.Length..].Where(c => !char.IsWhiteSpace(c)));
        return TryNumber(body, out var value) ? value.ToString(CultureInfo.InvariantCulture) : body;
    }

    /// <summary>Up to 40 ASCII digits: longer than any legitimate number of this task, short enough to parse at once.</summary>
    private static bool TryNumber(string text, out BigInteger value)
    {
        value = default;
        return text.Length is > 0 and <= 40 && text.All(Rational.IsAsciiDigit) && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// <c>a+b+c=s -> partial</c>, <c>a*b=c</c> or <c>a+b=c</c>, with runs of ASCII spaces between tokens; null when malformed.
    /// One left-to-right pass: linear in the line, whatever the model writes.
    /// </summary>
    private static Step? TryParseStep(string line)
    {
        if (line.Length > CompletionLines.MaxLineLength)
        {
            return null;
        }
        var position = 0;
        var operands = new List<BigInteger>(3);
        if (!TryReadNumber(line, ref position, out var first, out _))
        {
            return null;
        }
        operands.Add(first);
        SkipSpaces(line, ref position);
        if (position >= line.Length || line[position] is not ('+' or '*'))
        {
            return null;
        }
        var op = line[position];
        while (position < line.Length && line[position] == op)
        {
            position++;
            if (!TryReadNumber(line, ref position, out var operand, out _))
            {
                return null;
            }
            operands.Add(operand);
            SkipSpaces(line, ref position);
        }
        if (position >= line.Length || line[position++] != '=' || !TryReadNumber(line, ref position, out var result, out _))
        {
            return null;
        }
        SkipSpaces(line, ref position);
        string? partial = null;
        if (position + 1 < line.Length && line[position] == '-' && line[position + 1] == '>')
        {
            position += 2;
            if (!TryReadNumber(line, ref position, out _, out partial))
            {
                return null;
            }
            SkipSpaces(line, ref position);
        }
        return position == line.Length && operands.Count <= 3 ? new Step(operands.ToArray(), op, result, partial) : null;
    }

    private static bool TryReadNumber(string line, ref int position, out BigInteger value, out string text)
    {
        SkipSpaces(line, ref position);
        var start = position;
        while (position < line.Length && Rational.IsAsciiDigit(line[position]))
        {
            position++;
        }
        text = line[start..position];
        return TryNumber(text, out value);
    }

    private static void SkipSpaces(string line, ref int position)
    {
        while (position < line.Length && line[position] == ' ')
        {
            position++;
        }
    }

    /// <summary>
    /// Each step must be the working's step at its position, with its arithmetic right; a completion is correct when
    /// every step is valid, the working is either absent or complete, and the answer is the exact result.
    /// </summary>
    public Verdict Verify(Problem problem, string completion, RewardConfig rewards)
    {
        var p = As(problem);
        var lines = CompletionLines.Split(completion);
        var expected = ExpectedSteps(p);
        var maxSteps = MaxSteps(p);
        var stepValid = new List<bool>(lines.Steps.Count + 1);
        var formatOk = !lines.TextAfterAnswer;
        var reason = lines.TextAfterAnswer ? "text after the answer line" : null;
        for (var index = 0; index < lines.Steps.Count; index++)
        {
            var step = TryParseStep(lines.Steps[index]);
            if (step is null)
            {
                formatOk = false;
                reason ??= $"step {index + 1} is malformed";
                stepValid.Add(false);
                continue;
            }
            var valid = index < expected.Count && step.SameAs(expected[index]);
            stepValid.Add(valid);
            if (!valid)
            {
                reason ??= index < expected.Count ? $"step {index + 1} should be {expected[index]}" : $"step {index + 1} is one too many";
            }
        }
        if (lines.AnswerLine is null)
        {
            return RewardFunction.Judge(false, false, stepValid, maxSteps, rewards, reason ?? "no answer line");
        }
        var body = CompletionLines.AnswerBody(lines.AnswerLine);
        var answerWellFormed = body is not null && TryNumber(body, out _);
        formatOk &= answerWellFormed;
        string? answerProblem = null;
        if (!answerWellFormed)
        {
            answerProblem = "answer line is malformed";
        }
        else if (TryNumber(body!, out var answer) && answer != Result(p))
        {
            answerProblem = $"answer {answer} is wrong";
        }
        else if (lines.Steps.Count is > 0 && lines.Steps.Count < expected.Count)
        {
            answerProblem = "the working stops before the answer";
        }
        stepValid.Add(answerProblem is null);
        reason ??= answerProblem;
        var correct = reason is null;
        return RewardFunction.Judge(correct, formatOk, stepValid, maxSteps, rewards, reason);
    }

    /// <summary>
    /// A finished state is solvable when it verifies; an unfinished one when each step is the working's step at its
    /// position (the working is fixed, so a valid prefix always has its one correct continuation).
    /// </summary>
    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps)
    {
        var p = As(problem);
        var completion = string.Join('\n', steps);
        var lines = CompletionLines.Split(completion);
        if (lines.AnswerLine is not null) return Verify(p, completion, new RewardConfig()).Correct;
        var expected = ExpectedSteps(p);
        if (lines.Steps.Count > expected.Count) return false;
        for (var index = 0; index < lines.Steps.Count; index++)
        {
            if (TryParseStep(lines.Steps[index]) is not { } step || !step.SameAs(expected[index])) return false;
        }
        return true;
    }

    /// <summary>
    /// One digit changed in each part of the line: the result (wrong arithmetic), the answer digits so far of an addition
    /// step (a wrong partial), an operand (a misread digit or a wrong carry); an answer line gets one answer digit changed.
    /// </summary>
    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random)
    {
        if (CompletionLines.IsAnswerLine(step))
        {
            return NearMiss.Of(step, [(CompletionLines.AnswerPrefix.Length, step.Length)], random);
        }
        if (TryParseStep(step) is null) return [];
        var equals = step.IndexOf('=');
        var arrow = step.IndexOf("->", StringComparison.Ordinal);
        var resultEnd = arrow < 0 ? step.Length : arrow;
        List<(int, int)> parts = [(0, equals), (equals + 1, resultEnd)];
        if (arrow >= 0) parts.Add((arrow + 2, step.Length));
        return NearMiss.Of(step, parts, random);
    }

    public JsonObject ToJson(Problem problem)
    {
        var p = As(problem);
        return new JsonObject { ["op"] = p.Operation.ToString(), ["left"] = p.Left, ["right"] = p.Right };
    }

    public Problem FromJson(JsonObject json)
    {
        var op = json["op"] is JsonValue opValue && opValue.TryGetValue<string>(out var opText) && opText is "+" or "*"
            ? opText[0]
            : throw new FormatException("problem field \"op\" must be \"+\" or \"*\"");
        return ArithmeticProblem.Create(op, Operand(json, "left"), Operand(json, "right"));
    }

    private static long Operand(JsonObject json, string field)
    {
        // A parsed document yields any integer type; a JsonObject built in code holds the type it was given.
        long number = 0;
        var isInteger = json[field] is JsonValue value && (value.TryGetValue(out number) || (value.TryGetValue<int>(out var small) && (number = small) == small));
        return isInteger && number is >= 0 and < 1_000_000_000_000_000_000
            ? number
            : throw new FormatException($"problem field \"{field}\" must be an integer from 0 to 10^18 - 1");
    }

    private static ArithmeticProblem As(Problem problem) => problem as ArithmeticProblem
        ?? throw new ArgumentException($"problem {problem.Id} is not an arithmetic problem");
}
