using System.CommandLine;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Reasoner.Cli;

/// <summary>Process-level concerns of the CLI: logging and turning errors into exit codes.</summary>
internal static class Cli
{
    /// <summary>
    /// Logs go to standard error, so that a command's JSON on standard output stays machine-readable.
    /// A command that writes a run directory adds a JSON log file there with <see cref="LogToRunDirectory"/>.
    /// </summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        Log.Logger = ConsoleLogger().CreateLogger();
        try
        {
            var parse = root.Parse(args);
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception error) when (IsBadInput(error))
        {
            Log.Error("{Message}", error.Message);
            return 2;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>
    /// Errors that name a file, key or value the person gave us: a clean one-line report, not a stack trace.
    /// Everything else is a bug and keeps its stack trace.
    /// </summary>
    private static bool IsBadInput(Exception error) => error is UserInputException or InvalidDataException
        or FormatException or FileNotFoundException or DirectoryNotFoundException;

    /// <summary>Also writes every log event as one JSON line to <paramref name="path"/> (a run's log.jsonl).</summary>
    public static void LogToRunDirectory(string path)
    {
        Log.Logger = ConsoleLogger()
            .WriteTo.File(new JsonFormatter(renderMessage: true), path)
            .CreateLogger();
    }

    private static LoggerConfiguration ConsoleLogger() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
}

/// <summary>Bad input from the person at the keyboard (a file, key or value at fault): reported as one clear line, exit code 2.</summary>
public sealed class UserInputException(string message, Exception? inner = null) : Exception(message, inner);
