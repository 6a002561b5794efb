using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Serilog.Events;

namespace Reasoner.Actors.Hosting;

/// <summary>
/// Akka's logger actor for a loop's ActorSystem: every Akka log event (cluster membership, remoting, actors' own
/// <c>Context.GetLogger()</c>) goes to the Serilog logger of the run that owns the system, given through
/// <see cref="RunLogSetup"/>. Akka.Logger.Serilog's own SerilogLogger writes to the process-wide <c>Serilog.Log.Logger</c>,
/// which two runs side by side (tests in parallel, a head and a worker in one process) would share; its message formatter
/// is used as it is (see <see cref="AkkaConfig"/>).
/// </summary>
internal sealed class SerilogBridge : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public SerilogBridge()
    {
        var logger = Context.System.Settings.Setup.Get<RunLogSetup>().Select(s => s.Logger).GetOrElse(Serilog.Core.Logger.None);
        Receive<Error>(e => Write(logger, LogEventLevel.Error, e));
        Receive<Warning>(e => Write(logger, LogEventLevel.Warning, e));
        Receive<Info>(e => Write(logger, LogEventLevel.Information, e));
        Receive<Akka.Event.Debug>(e => Write(logger, LogEventLevel.Debug, e));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }

    private static void Write(Serilog.ILogger logger, LogEventLevel level, Akka.Event.LogEvent e)
    {
        var source = logger.ForContext("AkkaSource", e.LogSource);
        // A LogMessage keeps its template and arguments apart, so Serilog records them as properties.
        if (e.Message is LogMessage message) source.Write(level, e.Cause, message.Format, message.Parameters().ToArray());
        else source.Write(level, e.Cause, "{Message:l}", e.Message);
    }
}

/// <summary>The Serilog logger an ActorSystem's <see cref="SerilogBridge"/> writes to.</summary>
internal sealed class RunLogSetup(Serilog.ILogger logger) : Setup
{
    public Serilog.ILogger Logger { get; } = logger;
}

/// <summary>
/// Akka's logger before the loggers start and after they stop (a system's first and last moments); Akka's default writes
/// to standard output, which holds a command's results (one JSON line). Warnings and errors go to standard error instead;
/// the routine lines of starting and stopping remoting are dropped (the run's log has the same lines while it runs).
/// </summary>
internal sealed class StartAndStopLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is Akka.Event.LogEvent e && e.LogLevel() >= Akka.Event.LogLevel.WarningLevel) Console.Error.WriteLine(e.ToString());
    }
}
