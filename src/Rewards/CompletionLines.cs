namespace Reasoner.Rewards;

/// <summary>
/// The line structure shared by every task: non-empty trimmed lines, the first answer line ends the trajectory.
/// Model output is untrusted, so lines longer than <see cref="MaxLineLength"/> are kept but never parsed.
/// </summary>
internal sealed record CompletionLines(IReadOnlyList<string> Steps, string? AnswerLine, bool TextAfterAnswer)
{
    /// <summary>Longer than any legitimate step or answer of any task (a 9x9 Sudoku answer line is 89 characters).</summary>
    public const int MaxLineLength = 256;

    public const string AnswerPrefix = "Answer:";

    public static bool IsAnswerLine(string line) => line.TrimStart().StartsWith(AnswerPrefix, StringComparison.Ordinal);

    public static CompletionLines Split(string completion)
    {
        var steps = new List<string>();
        string? answer = null;
        var textAfterAnswer = false;
        foreach (var raw in completion.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (answer is not null)
            {
                textAfterAnswer = true;
                break;
            }
            if (IsAnswerLine(line))
            {
                answer = line;
            }
            else
            {
                steps.Add(line);
            }
        }
        return new CompletionLines(steps, answer, textAfterAnswer);
    }

    /// <summary>The text after "Answer:", trimmed; null when the line is too long to parse.</summary>
    public static string? AnswerBody(string answerLine) =>
        answerLine.Length > MaxLineLength ? null : answerLine.Trim()[AnswerPrefix.Length..].Trim();
}
