using Reasoner.Rewards.Arithmetic;
using Reasoner.Rewards.Countdown;
using Reasoner.Rewards.Sudoku;

namespace Reasoner.Rewards;

/// <summary>Builds a task by the name the CLI and experiment configs use, with its difficulty options.</summary>
public static class TaskCatalog
{
    /// <summary>Every task name, in the order help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["countdown", "game24", "arithmetic", "sudoku"];

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for an unknown name, an option the task does not take, or a value out of range.
    /// </summary>
    public static ITask Create(string name, TaskOptions? options = null) => Build(name, options ?? new TaskOptions()).Task;

    /// <summary>
    /// Every option the task takes, at the value the task uses: unset ones at their defaults, so the options still name the
    /// same problems if a default changes. Options whose default derives from another option stay unset when they are at
    /// it (arithmetic right-digits equal to digits, sudoku blanks at the size's default), so that changing the option they
    /// derive from later changes them too. Throws as <see cref="Create"/> does.
    /// </summary>
    public static TaskOptions Resolve(string name, TaskOptions? options = null) => Build(name, options ?? new TaskOptions()).Resolved;

    /// <summary>Every option the task takes at the value it uses, derived ones included: what two option sets are compared by.</summary>
    internal static TaskOptions Effective(string name, TaskOptions? options = null) => Build(name, options ?? new TaskOptions()).Effective;

    private static (ITask Task, TaskOptions Resolved, TaskOptions Effective) Build(string name, TaskOptions options) => name switch
    {
        "countdown" => Countdown(options),
        "game24" => (Only(name, options, [], new Game24Task()), new TaskOptions(), new TaskOptions()),
        "arithmetic" => Arithmetic(options),
        "sudoku" => Sudoku(options),
        _ => throw new ArgumentException($"unknown task \"{name}\" (known: {string.Join(", ", Names)})"),
    };

    private static (ITask, TaskOptions, TaskOptions) Countdown(TaskOptions options)
    {
        var defaults = new CountdownOptions();
        var countdown = new CountdownOptions(
            options.Numbers ?? defaults.Numbers,
            options.MinNumber ?? defaults.MinNumber,
            options.MaxNumber ?? defaults.MaxNumber,
            options.MinTarget ?? defaults.MinTarget,
            options.MaxTarget ?? defaults.MaxTarget);
        var task = Only("countdown", options, ["numbers", "min-number", "max-number", "min-target", "max-target"], new CountdownTask(countdown));
        var resolved = new TaskOptions(countdown.Numbers, countdown.MinNumber, countdown.MaxNumber, countdown.MinTarget, countdown.MaxTarget);
        return (task, resolved, resolved);
    }

    private static (ITask, TaskOptions, TaskOptions) Arithmetic(TaskOptions options)
    {
        var defaults = new ArithmeticOptions();
        var arithmetic = new ArithmeticOptions(options.Operation ?? defaults.Operation, options.Digits ?? defaults.Digits, options.RightDigits);
        var task = Only("arithmetic", options, ["operation", "digits", "right-digits"], new ArithmeticTask(arithmetic));
        var effective = new TaskOptions(Operation: arithmetic.Operation, Digits: arithmetic.Digits, RightDigits: arithmetic.RightDigits ?? arithmetic.Digits);
        return (task, effective with { RightDigits = effective.RightDigits == effective.Digits ? null : effective.RightDigits }, effective);
    }

    private static (ITask, TaskOptions, TaskOptions) Sudoku(TaskOptions options)
    {
        var sudoku = new SudokuOptions(options.Size ?? new SudokuOptions().Size, options.Blanks);
        var task = Only("sudoku", options, ["size", "blanks"], new SudokuTask(sudoku));
        var effective = new TaskOptions(Size: sudoku.Size, Blanks: sudoku.BlankCells);
        return (task, effective with { Blanks = sudoku.BlankCells == (sudoku with { Blanks = null }).BlankCells ? null : sudoku.BlankCells }, effective);
    }

    private static ITask Only(string name, TaskOptions options, string[] allowed, ITask task)
    {
        var extra = options.SetOptionNames().FirstOrDefault(option => !allowed.Contains(option));
        if (extra is not null)
        {
            throw new ArgumentException($"task \"{name}\" has no option \"{extra}\"");
        }
        return task;
    }
}
