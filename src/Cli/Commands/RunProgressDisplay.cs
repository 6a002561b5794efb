using System.Diagnostics;
using System.Globalization;
using Reasoner.Actors.SelfImprovement;
using Serilog.Core;
using Serilog.Events;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Reasoner.Cli.Commands;

/// <summary>
/// What <c>reasoner run</c> shows on a terminal while it runs: the stage, the iteration, the phase's progress (problems
/// searched or training steps, of the total), the mean reward so far, the rate and the time the phase has left, and under
/// it the last lines of the run's log (a sink of the run's logger, which also writes log.jsonl whole). The loop reports from its actors' threads,
/// so every update builds the picture under a lock and hands it to the live display.
/// </summary>
internal sealed class RunProgressDisplay(string runName, string runPath, int iterations) : ILogEventSink
{
    private const int LogLines = 8;
    private readonly Lock _gate = new();
    private readonly Queue<string> _log = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LoopProgress? _progress;
    private LiveDisplayContext? _live;

    /// <summary>From now on every update redraws <paramref name="live"/>.</summary>
    public void Attach(LiveDisplayContext live)
    {
        lock (_gate)
        {
            _live = live;
            Redraw();
        }
    }

    public void Progress(LoopProgress progress)
    {
        lock (_gate)
        {
            _progress = progress;
            Redraw();
        }
    }

    public void Emit(LogEvent logEvent)
    {
        string line = $"{logEvent.Timestamp:HH:mm:ss} {logEvent.RenderMessage(CultureInfo.InvariantCulture)}";
        lock (_gate)
        {
            _log.Enqueue(line.Length > 160 ? line[..157] + "..." : line);
            while (_log.Count > LogLines) _log.Dequeue();
            Redraw();
        }
    }

    /// <summary>The picture as it stands.</summary>
    public IRenderable Render()
    {
        lock (_gate) return Build();
    }

    private void Redraw()
    {
        if (_live is null) return;
        _live.UpdateTarget(Build());
        _live.Refresh();
    }

    private IRenderable Build()
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(runName)}[/] [grey]{Markup.Escape(runPath)}[/]");
        foreach (var column in new[] { "stage", "iteration", "done", "mean reward", "rate", "phase ETA", "elapsed" }) table.AddColumn(column);
        if (_progress is { } p)
        {
            string iteration = p.Phase == "imitation" ? "-" : $"{p.Iteration}/{iterations}";
            string done = $"{p.Done}/{p.Total} {p.Unit}";
            string reward = double.IsNaN(p.MeanReward) ? "-" : p.MeanReward.ToString("0.000", CultureInfo.InvariantCulture);
            string rate = $"{p.ProblemsPerSecond.ToString("0.00", CultureInfo.InvariantCulture)}/s";
            string eta = p.Remaining is { } left ? Clock(left) : "-";
            table.AddRow(Markup.Escape(p.Phase), iteration, done, reward, rate, eta, Clock(_clock.Elapsed));
        }
        else table.AddRow("starting", "-", "-", "-", "-", "-", Clock(_clock.Elapsed));
        var log = new Rows(_log.Select(line => new Text(line, new Style(Color.Grey))));
        return new Rows(table, log);
    }

    private static string Clock(TimeSpan time) => time.TotalHours >= 1
        ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : time.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
