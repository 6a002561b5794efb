using System.CommandLine;
using System.Text.Json;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;

namespace Reasoner.Cli.Commands;

/// <summary><c>reasoner report RUN_DIR</c>: rebuilds summary.md, plots/*.svg and report.html of a run from its metrics and outcomes alone.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runDirectory = new Argument<string>("run-dir") { Description = "A run directory (results/<experiment>-<timestamp>) holding metrics.jsonl" };
        var command = new Command("report", "Rebuild a run's summary.md, plots/*.svg and report.html from its metrics.jsonl and outcomes.jsonl.");
        command.Arguments.Add(runDirectory);
        command.SetAction(parseResult =>
        {
            using var io = CommandIO.Of(parseResult);
            var run = RunDirectory.Open(parseResult.GetValue(runDirectory)!);
            var written = RunReport.Write(run);
            foreach (string path in written)
            {
                io.Log.Information("Wrote {Path}", path);
            }
            io.Out.WriteLine(JsonSerializer.Serialize(new { run = run.Path, summary = written[0], report = written[1], plots = written.Skip(2) }));
            return 0;
        });
        return command;
    }
}
