using System.CommandLine;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>
/// Invokes one command with standard output and error of its own, as a person would from a shell: nothing process-wide
/// (Console, static loggers) is touched, so tests invoking commands in parallel never read each other's output.
/// </summary>
internal static class CommandRunner
{
    public sealed record Invocation(int Code, string Output, string Error);

    public static Invocation Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var (output, error) = (new StringWriter(), new StringWriter());
        int code = root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = output, Error = error });
        return new Invocation(code, output.ToString(), error.ToString());
    }
}
