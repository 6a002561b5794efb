namespace Reasoner.Rewards.Countdown;

/// <summary>
/// Parses and checks Countdown completions: steps <c>4 + 8 = 12 (left: 4 6 12)</c>, then <c>Answer: (6 - 4) * (4 + 8) = 24</c>.
/// Shared by Countdown and Game of 24. Total on any text: bounded line lengths, checked rational arithmetic.
/// </summary>
internal static class CountdownVerifier
{
    /// <summary>A step as written, before it is checked against the numbers left.</summary>
    private sealed record StepLine(Rational Left, char Op, Rational Right, Rational Result, List<Rational> NumbersLeft);

    public static ParsedCompletion Parse(string completion)
    {
        var lines = CompletionLines.Split(completion);
        return new ParsedCompletion(lines.Steps, lines.AnswerLine is null ? null : CanonicalAnswer(lines.AnswerLine));
    }

    /// <summary>The answer expression without whitespace (the part before its last '='): what majority voting compares.</summary>
    private static string CanonicalAnswer(string answerLine)
    {
        var body = answerLine.Trim()[CompletionLines.AnswerPrefix.Length..];
        var equals = body.LastIndexOf('=');
        var expression = equals < 0 ? body : body[..equals];
        return string.Concat(expression.Where(c => !char.IsWhiteSpace(c)));
    }

    public static Verdict Verify(CountdownProblem problem, string completion, RewardConfig rewards)
    {
        var lines = CompletionLines.Split(completion);
        var maxSteps = problem.Numbers.Count;
        var stepValid = new List<bool>(lines.Steps.Count + 1);
        var formatOk = !lines.TextAfterAnswer;
        string? reason = lines.TextAfterAnswer ? "text after the answer line" : null;

        var numbersLeft = problem.Numbers.Select(n => Rational.FromInteger(n)).ToList();
        var operations = new List<CountdownOperation>();
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
            var problemWithStep = CheckStep(step, numbersLeft);
            stepValid.Add(problemWithStep is null);
            if (problemWithStep is not null)
            {
                reason ??= $"step {index + 1}: {problemWithStep}";
                continue;
            }
            operations.Add(CountdownOperation.Of(step.Left, step.Op, step.Right, step.Result));
        }

        if (lines.AnswerLine is null)
        {
            return RewardFunction.Judge(false, false, stepValid, maxSteps, rewards, reason ?? "no answer line");
        }
        var answerProblem = CheckAnswer(problem, lines.AnswerLine, lines.Steps.Count > 0 ? operations : null, out var answerWellFormed);
        formatOk &= answerWellFormed;
        stepValid.Add(answerProblem is null);
        reason ??= answerProblem;
        var correct = reason is null && stepValid.All(valid => valid);
        return RewardFunction.Judge(correct, formatOk, stepValid, maxSteps, rewards, reason ?? "a step is invalid");
    }

    /// <summary>
    /// The state oracle: a finished completion (with an answer line) is solvable when the verifier says it is correct; an
    /// unfinished one when every step is legal and the numbers left can still make the target, which is exactly when some
    /// continuation would verify (the answer line can always be built from the steps' operations).
    /// </summary>
    public static bool IsSolvable(CountdownProblem problem, string completion, CountdownReachability reachability)
    {
        var lines = CompletionLines.Split(completion);
        if (lines.AnswerLine is not null) return Verify(problem, completion, new RewardConfig()).Correct;
        var numbersLeft = problem.Numbers.Select(n => Rational.FromInteger(n)).ToList();
        foreach (var line in lines.Steps)
        {
            if (TryParseStep(line) is not { } step || CheckStep(step, numbersLeft) is not null) return false;
        }
        return reachability.CanReach(numbersLeft, Rational.FromInteger(problem.Target));
    }

    /// <summary>Null when the step is legal from <paramref name="numbersLeft"/> (which it then updates), else what is wrong.</summary>
    private static string? CheckStep(StepLine step, List<Rational> numbersLeft)
    {
        var after = numbersLeft.ToList();
        if (!after.Remove(step.Left) || !after.Remove(step.Right))
        {
            return $"{step.Left} {step.Op} {step.Right} uses a number that is not left";
        }
        if (!Rational.TryApply(step.Op, step.Left, step.Right, out var value))
        {
            return step.Op == '/' ? "division by zero" : "overflow";
        }
        if (value != step.Result)
        {
            return $"{step.Left} {step.Op} {step.Right} is {value}, not {step.Result}";
        }
        after.Add(value);
        if (!SameMultiset(after, step.NumbersLeft))
        {
            return $"left should be {string.Join(' ', after.Order())}";
        }
        numbersLeft.Clear();
        numbersLeft.AddRange(after);
        return null;
    }

    private static string? CheckAnswer(CountdownProblem problem, string answerLine, List<CountdownOperation>? stepOperations, out bool wellFormed)
    {
        var body = CompletionLines.AnswerBody(answerLine);
        wellFormed = body is not null && CountdownExpression.TryParseEquation(body, out _, out _);
        if (!wellFormed)
        {
            return "answer line is malformed";
        }
        CountdownExpression.TryParseEquation(body!, out var expression, out var claimed);
        if (expression is null)
        {
            return "answer divides by zero or overflows";
        }
        var target = Rational.FromInteger(problem.Target);
        var numbers = problem.Numbers.Select(n => Rational.FromInteger(n)).ToList();
        if (!SameMultiset(expression.Leaves().ToList(), numbers))
        {
            return $"answer must use each of {string.Join(' ', problem.Numbers)} exactly once";
        }
        if (expression.Value != target)
        {
            return $"answer is {expression.Value}, not {problem.Target}";
        }
        if (claimed != target)
        {
            return $"answer claims {claimed}, not {problem.Target}";
        }
        if (stepOperations is not null && !SameMultiset(expression.Operations().ToList(), stepOperations))
        {
            return "answer differs from the steps";
        }
        return null;
    }

    private static bool SameMultiset<T>(List<T> left, List<T> right) where T : notnull
    {
        if (left.Count != right.Count)
        {
            return false;
        }
        var remaining = right.ToList();
        return left.All(remaining.Remove);
    }

    /// <summary>
    /// The problem a step line leaves: the numbers it says are left, in ascending order, and the target of the prompt's
    /// <c>numbers -> target</c> line, written as a prompt. Null when the line is not a well-formed step or the prompt has no
    /// target.
    /// </summary>
    public static string? Remaining(string prompt, string line)
    {
        if (TryParseStep(line.Trim()) is not { } step) return null;
        int newline = prompt.IndexOf('\n');
        var first = newline >= 0 ? prompt[..newline] : prompt;
        int arrow = first.LastIndexOf("->", StringComparison.Ordinal);
        if (arrow < 0) return null;
        var position = arrow + 2;
        SkipSpaces(first, ref position);
        if (!Rational.TryRead(first, ref position, allowFraction: false, out var target) || first[position..].Trim().Length > 0) return null;
        return Prompt(step.NumbersLeft.Order(), target);
    }

    /// <summary>Numbers and a target as a prompt: <c>4 10 30 -> 24</c> and a newline.</summary>
    public static string Prompt(IEnumerable<Rational> numbers, Rational target) => $"{string.Join(' ', numbers)} -> {target}\n";

    /// <summary><c>a op b = c (left: x y z)</c> with any runs of ASCII spaces between tokens; null when malformed.</summary>
    private static StepLine? TryParseStep(string line)
    {
        if (line.Length > CompletionLines.MaxLineLength)
        {
            return null;
        }
        var position = 0;
        if (!Number(line, ref position, out var left))
        {
            return null;
        }
        SkipSpaces(line, ref position);
        if (position >= line.Length || line[position] is not ('+' or '-' or '*' or '/'))
        {
            return null;
        }
        var op = line[position++];
        SkipSpaces(line, ref position);
        if (!Number(line, ref position, out var right) || !Expect(line, ref position, "=") || !Number(line, ref position, out var result)
            || !Expect(line, ref position, "(left:"))
        {
            return null;
        }
        var numbersLeft = new List<Rational>();
        while (true)
        {
            SkipSpaces(line, ref position);
            if (position < line.Length && line[position] == ')')
            {
                position++;
                break;
            }
            if (!Number(line, ref position, out var number))
            {
                return null;
            }
            numbersLeft.Add(number);
        }
        SkipSpaces(line, ref position);
        return position == line.Length && numbersLeft.Count > 0 ? new StepLine(left, op, right, result, numbersLeft) : null;
    }

    private static bool Number(string line, ref int position, out Rational value)
    {
        SkipSpaces(line, ref position);
        return Rational.TryRead(line, ref position, allowFraction: true, out value);
    }

    private static bool Expect(string line, ref int position, string token)
    {
        SkipSpaces(line, ref position);
        if (string.CompareOrdinal(line, position, token, 0, token.Length) != 0)
        {
            return false;
        }
        position += token.Length;
        return true;
    }

    private static void SkipSpaces(string line, ref int position)
    {
        while (position < line.Length && line[position] == ' ')
        {
            position++;
        }
    }
}
