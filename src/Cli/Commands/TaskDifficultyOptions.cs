using System.CommandLine;
using Reasoner.Rewards;

namespace Reasoner.Cli.Commands;

/// <summary>
/// The task difficulty options every command that builds a task takes (tasks, train, eval, solve), bound to
/// <see cref="TaskOptions"/>. Commands on a checkpoint default to the task it records (<see cref="ForCheckpoint"/>).
/// </summary>
internal sealed class TaskDifficultyOptions
{
    public Option<int?> Numbers { get; } = new("--numbers") { Description = "countdown: how many numbers (3-6, default 4)." };
    public Option<int?> MinNumber { get; } = new("--min-number") { Description = "countdown: smallest number (default 1)." };
    public Option<int?> MaxNumber { get; } = new("--max-number") { Description = "countdown: largest number (default 13)." };
    public Option<int?> MinTarget { get; } = new("--min-target") { Description = "countdown: smallest target (default 1)." };
    public Option<int?> MaxTarget { get; } = new("--max-target") { Description = "countdown: largest target (default 100)." };
    public Option<string?> Operation { get; } = new("--operation") { Description = "arithmetic: add, multiply or mixed (default add)." };
    public Option<int?> Digits { get; } = new("--digits") { Description = "arithmetic: digits of each operand (default 3)." };
    public Option<int?> RightDigits { get; } = new("--right-digits") { Description = "arithmetic: digits of the second operand (default --digits)." };
    public Option<int?> Size { get; } = new("--size") { Description = "sudoku: 4 or 9 (default 4)." };
    public Option<int?> Blanks { get; } = new("--blanks") { Description = "sudoku: empty cells (default 8 for 4x4, 40 for 9x9)." };

    /// <summary>Every difficulty option, in help order.</summary>
    public IReadOnlyList<Option> All => [Numbers, MinNumber, MaxNumber, MinTarget, MaxTarget, Operation, Digits, RightDigits, Size, Blanks];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    public TaskOptions Read(ParseResult parse) => new(
        parse.GetValue(Numbers), parse.GetValue(MinNumber), parse.GetValue(MaxNumber), parse.GetValue(MinTarget), parse.GetValue(MaxTarget),
        parse.GetValue(Operation), parse.GetValue(Digits), parse.GetValue(RightDigits), parse.GetValue(Size), parse.GetValue(Blanks));

    /// <summary>The named task with these options; an unknown name or option is the user's error.</summary>
    public static ITask CreateTask(string name, TaskOptions? options = null) => CreateTask(new TaskSpec(name, options ?? new TaskOptions()));

    public static ITask CreateTask(TaskSpec spec)
    {
        try
        {
            return spec.Create();
        }
        catch (ArgumentException error)
        {
            throw new UserInputException(error.Message, error);
        }
    }

    /// <summary>
    /// The task a command on the checkpoint at <paramref name="path"/> works on: the one it records (<paramref name="recorded"/>)
    /// with the options the command line gives in place of its own, each that differs logged as a warning; or, when the
    /// checkpoint records none (written before checkpoints did), the task the command line names.
    /// </summary>
    public static TaskSpec ForCheckpoint(string path, TaskSpec? recorded, string? taskName, TaskOptions given, Serilog.ILogger log)
    {
        if (recorded is null)
        {
            if (taskName is null)
                throw new UserInputException($"{path} does not record the task it was trained on (it predates checkpoints that do): give --task and its difficulty options");
            return new TaskSpec(taskName, given);
        }
        TaskSpec spec;
        IReadOnlyList<string> differences;
        try
        {
            spec = recorded.Overridden(taskName, given, out differences);
        }
        catch (ArgumentException error)
        {
            throw new UserInputException(error.Message, error);
        }
        foreach (var difference in differences) log.Warning("{Path}: {Difference}", path, difference);
        return spec;
    }
}
