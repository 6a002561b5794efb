using System.Globalization;

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
    /// <summary>These options, each one <paramref name="given"/> sets replaced by its value there.</summary>
    public TaskOptions OverriddenBy(TaskOptions given) => new(
        given.Numbers ?? Numbers, given.MinNumber ?? MinNumber, given.MaxNumber ?? MaxNumber, given.MinTarget ?? MinTarget,
        given.MaxTarget ?? MaxTarget, given.Operation ?? Operation, given.Digits ?? Digits, given.RightDigits ?? RightDigits,
        given.Size ?? Size, given.Blanks ?? Blanks);

    /// <summary>Every option by its CLI name with its value as the CLI writes it (null when not set), in help order.</summary>
    public IEnumerable<(string Name, string? Value)> Values()
    {
        static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);
        yield return ("numbers", Text(Numbers));
        yield return ("min-number", Text(MinNumber));
        yield return ("max-number", Text(MaxNumber));
        yield return ("min-target", Text(MinTarget));
        yield return ("max-target", Text(MaxTarget));
        yield return ("operation", Operation);
        yield return ("digits", Text(Digits));
        yield return ("right-digits", Text(RightDigits));
        yield return ("size", Text(Size));
        yield return ("blanks", Text(Blanks));
    }

    /// <summary>The options that are set, as command-line options: <c>--numbers 3 --max-number 9</c>.</summary>
    public override string ToString() => string.Join(" ", Values().Where(v => v.Value is not null).Select(v => $"--{v.Name} {v.Value}"));

    /// <summary>The options that are set, by their CLI names, to report the ones a task does not take.</summary>
    internal IEnumerable<string> SetOptionNames() => Values().Where(v => v.Value is not null).Select(v => v.Name);
}
