namespace Reasoner.Rewards;

/// <summary>
/// Difficulty options of any task, as the CLI and experiment configs give them: null means the task's default.
/// <see cref="TaskCatalog.Create"/> rejects an option the named task does not have.
/// </summary>
/// <param name="Numbers">Countdown: how many numbers (3 to 6).</param>
/// <param name="MinNumber">Countdown: smallest number.</param>
/// <param name="MaxNumber">Countdown: largest number.</param>
/// <param name="MinTarget">Countdown: smallest target.</param>
/// <param name="MaxTarget">Countdown: largest target.</param>
/// <param name="Operation">Arithmetic: "add", "multiply" or "mixed".</param>
/// <param name="Digits">Arithmetic: digits of the first operand (and of the second unless <paramref name="RightDigits"/> is set).</param>
/// <param name="RightDigits">Arithmetic: digits of the second operand.</param>
/// <param name="Size">Sudoku: 4 or 9.</param>
/// <param name="Blanks">Sudoku: empty cells of the puzzle.</param>
public sealed record TaskOptions(
    int? Numbers = null, int? MinNumber = null, int? MaxNumber = null, int? MinTarget = null, int? MaxTarget = null,
    string? Operation = null, int? Digits = null, int? RightDigits = null,
    int? Size = null, int? Blanks = null)
{
    /// <summary>The options that are set, by their CLI names, to report the ones a task does not take.</summary>
    internal IEnumerable<string> SetOptionNames()
    {
        if (Numbers is not null) yield return "numbers";
        if (MinNumber is not null) yield return "min-number";
        if (MaxNumber is not null) yield return "max-number";
        if (MinTarget is not null) yield return "min-target";
        if (MaxTarget is not null) yield return "max-target";
        if (Operation is not null) yield return "operation";
        if (Digits is not null) yield return "digits";
        if (RightDigits is not null) yield return "right-digits";
        if (Size is not null) yield return "size";
        if (Blanks is not null) yield return "blanks";
    }
}
