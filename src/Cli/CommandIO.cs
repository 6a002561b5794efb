using System.CommandLine;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;
using Spectre.Console;

namespace Reasoner.Cli;

/// <summary>
/// The streams of one command invocation, as System.CommandLine hands them to the action: standard output for results,
/// standard error for logs and progress. Nothing here is process-wide, so commands invoked side by side (tests run in
/// parallel) never write into each other's output. Colour and live displays only where the stream is a terminal:
/// a pipe (<c>| tail</c>) or a file gets plain text.
/// </summary>
internal sealed class CommandIO : IDisposable
{
    private const string LineTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
    private Logger _log;

    private CommandIO(TextWriter output, TextWriter error, bool outputIsTerminal, bool errorIsTerminal)
    {
        (Out, Error, OutIsTerminal, ErrorIsTerminal) = (output, error, outputIsTerminal, errorIsTerminal);
        Ansi = CreateConsole(output, outputIsTerminal);
        ErrorAnsi = CreateConsole(error, errorIsTerminal);
        _log = Logging().CreateLogger();
    }

    /// <summary>Results: JSON lines and tables.</summary>
    public TextWriter Out { get; }

    /// <summary>Logs and progress.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard output is the process's, on a terminal: colour and live displays are welcome there.</summary>
    public bool OutIsTerminal { get; }

    /// <summary>Standard error is the process's, on a terminal.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Tables and trees on standard output; plain text unless it is a terminal.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>Progress bars on standard error; plain text unless it is a terminal.</summary>
    public IAnsiConsole ErrorAnsi { get; }

    /// <summary>Log events, one line each on standard error (and in the run's log.jsonl after <see cref="LogToFile"/>).</summary>
    public Serilog.ILogger Log => _log;

    /// <summary>The streams of <paramref name="parse"/>'s invocation (the process's console unless a caller gave others).</summary>
    public static CommandIO Of(ParseResult parse)
    {
        var config = parse.InvocationConfiguration;
        bool outIsConsole = ReferenceEquals(config.Output, Console.Out), errorIsConsole = ReferenceEquals(config.Error, Console.Error);
        return new CommandIO(config.Output, config.Error,
            outIsConsole && !Console.IsOutputRedirected, errorIsConsole && !Console.IsErrorRedirected);
    }

    /// <summary>From now on every log event also goes as one JSON line to <paramref name="path"/> (a run's log.jsonl).</summary>
    public void LogToFile(string path)
    {
        var previous = _log;
        _log = Logging().WriteTo.File(new JsonFormatter(renderMessage: true), path).CreateLogger();
        previous.Dispose();
    }

    public void Dispose() => _log.Dispose();

    private LoggerConfiguration Logging() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .WriteTo.Sink(new TextWriterSink(Error, new MessageTemplateTextFormatter(LineTemplate)));

    private static IAnsiConsole CreateConsole(TextWriter writer, bool isTerminal) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
    });

    /// <summary>Writes each event as one formatted line to a writer; serialised, since actors log from several threads.</summary>
    private sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
    {
        private readonly Lock _gate = new();

        public void Emit(LogEvent logEvent)
        {
            lock (_gate)
            {
                formatter.Format(logEvent, writer);
                writer.Flush();
            }
        }
    }
}
