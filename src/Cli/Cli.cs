using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Training;

namespace Reasoner.Cli;

/// <summary>Process-level concerns of the CLI: turning errors into exit codes. Each command builds its own
/// <see cref="CommandIO"/> (logs to standard error, results to standard output) from its invocation.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(invocation);
        }
        catch (Exception error) when (IsBadInput(error))
        {
            await invocation.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss} ERR] {error.Message}"));
            return 2;
        }
        // Training that kept diverging stopped as it should: what it says is the whole story, no stack trace.
        catch (TrainingDivergedException error)
        {
            await invocation.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss} ERR] {error.Message}"));
            return 1;
        }
    }

    /// <summary>
    /// Errors that name a file, key or value the person gave us: a clean one-line report, not a stack trace.
    /// Everything else is a bug and keeps its stack trace.
    /// </summary>
    private static bool IsBadInput(Exception error) => error is UserInputException or InvalidDataException
        or FormatException or FileNotFoundException or DirectoryNotFoundException;
}

/// <summary>Bad input from the person at the keyboard (a file, key or value at fault): reported as one clear line, exit code 2.</summary>
public sealed class UserInputException(string message, Exception? inner = null) : Exception(message, inner);
