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
    public static ITask Create(string name, TaskOptions? options = null)
    {
        options ??= new TaskOptions();
        return name switch
        {
            "countdown" => Countdown(options),
            "game24" => Only(name, options, [], new Game24Task()),
            "arithmetic" => Only(name, options, ["operation", "digits", "right-digits"],
                new ArithmeticTask(new ArithmeticOptions(options.Operation ?? "add", options.Digits ?? 3, options.RightDigits))),
            "sudoku" => Only(name, options, ["size", "blanks"], new SudokuTask(new SudokuOptions(options.Size ?? 4, options.Blanks))),
            _ => throw new ArgumentException($"unknown task \"{name}\" (known: {string.Join(", ", Names)})"),
        };
    }

    private static ITask Countdown(TaskOptions options)
    {
        var defaults = new CountdownOptions();
        var countdown = new CountdownOptions(
            options.Numbers ?? defaults.Numbers,
            options.MinNumber ?? defaults.MinNumber,
            options.MaxNumber ?? defaults.MaxNumber,
            options.MinTarget ?? defaults.MinTarget,
            options.MaxTarget ?? defaults.MaxTarget);
        return Only("countdown", options, ["numbers", "min-number", "max-number", "min-target", "max-target"], new CountdownTask(countdown));
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
