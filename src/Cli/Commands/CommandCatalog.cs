using System.CommandLine;

namespace Reasoner.Cli.Commands;

/// <summary>Every subcommand of <c>reasoner</c>, in the order the help lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return TasksCommand.Create();
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return SolveCommand.Create();
        yield return RunCommand.Create();
        yield return WorkerCommand.Create();
        yield return ReportCommand.Create();
        yield return CompareCommand.Create();
        yield return LmLossCommand.Create();
        yield return BenchCommand.Create();
    }
}
