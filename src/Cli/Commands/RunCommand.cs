using System.CommandLine;
using System.Text.Json;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Runs;
using Reasoner.Tensors;
using Serilog;
using Serilog.Formatting.Json;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner run experiments/NAME.yaml [--set key.path=value ...] [--out DIR]</c> (or <c>--resume RUN_DIR</c>, which
/// continues a run that was stopped from its last completed stage): runs an experiment (imitation, then
/// self-improvement iterations, each evaluated on held-out problems) into results/NAME-TIMESTAMP/, with progress on
/// stderr and one JSON line on stdout at the end (run directory, accuracy by iteration and method, loop throughput).
/// With <c>--cluster</c> this process is the head of a cluster: it trains and evaluates, and worker nodes that join it
/// (<c>reasoner worker --join HOST:PORT</c>) do the searches.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var configPath = new Argument<string?>("config") { Description = "Experiment config (YAML), e.g. experiments/quickstart.yaml", Arity = ArgumentArity.ZeroOrOne };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in RUN_DIR from its last completed stage, with its own config" };
        var sets = new Option<string[]>("--set") { Description = "Override a config key, e.g. --set self_improvement.iterations=3 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out") { Description = "Folder for the run directory (default: the config's output, results/)" };
        var threads = new Option<int>("--threads") { Description = "Threads for the model's kernels (0: every core)", DefaultValueFactory = _ => 0 };
        var cluster = new Option<bool>("--cluster") { Description = "Be the head of a cluster: worker nodes (reasoner worker --join HOST:PORT) do the searches" };
        var host = new Option<string>("--host") { Description = "With --cluster: the address to listen on, reachable by the workers", DefaultValueFactory = _ => AkkaConfig.Loopback };
        var port = new Option<int>("--port") { Description = "With --cluster: the port to listen on (0: any free port)", DefaultValueFactory = _ => AkkaConfig.DefaultPort };
        var minWorkers = new Option<int>("--min-workers") { Description = "With --cluster: worker nodes to wait for before the first search", DefaultValueFactory = _ => 1 };
        var command = new Command("run", "Run an experiment: imitation, self-improvement iterations on actors, evaluation after each; writes a run directory.");
        command.Arguments.Add(configPath);
        command.Options.Add(resume);
        command.Options.Add(sets);
        command.Options.Add(output);
        command.Options.Add(threads);
        command.Options.Add(cluster);
        command.Options.Add(host);
        command.Options.Add(port);
        command.Options.Add(minWorkers);
        command.SetAction(async (parse, cancellation) =>
        {
            bool asHead = parse.GetValue(cluster);
            if (!asHead && (parse.GetResult(host) is { Implicit: false } || parse.GetResult(port) is { Implicit: false } || parse.GetResult(minWorkers) is { Implicit: false }))
                throw new UserInputException("--host, --port and --min-workers are options of a cluster head: add --cluster");
            if (parse.GetValue(port) is < 0 or > 65535) throw new UserInputException($"--port {parse.GetValue(port)}: expected 0 to 65535");
            if (parse.GetValue(minWorkers) < 1) throw new UserInputException($"--min-workers {parse.GetValue(minWorkers)}: at least one worker node does the searches");
            string? resumed = parse.GetValue(resume);
            if (resumed is not null && (parse.GetValue(configPath) is not null || (parse.GetValue(sets) ?? []).Length > 0 || parse.GetValue(output) is not null))
                throw new UserInputException("--resume RUN_DIR continues a run with its own config.yaml: give no config, --set or --out with it");
            if (resumed is null && parse.GetValue(configPath) is null) throw new UserInputException("give an experiment config (e.g. experiments/quickstart.yaml) or --resume RUN_DIR");
            RunDirectory run;
            ExperimentConfig config;
            if (resumed is not null)
            {
                run = RunDirectory.Existing(resumed);
                config = ConfigBinder.LoadFile<ExperimentConfig>(run.ConfigPath);
            }
            else
            {
                config = ConfigBinder.LoadFile<ExperimentConfig>(parse.GetValue(configPath)!, parse.GetValue(sets) ?? []);
                if (parse.GetValue(output) is { } outputFolder) config = config with { Output = outputFolder };
                run = RunDirectory.Create(config.Output, config.Name, TimeProvider.System);
            }
            using var io = CommandIO.Of(parse);
            // On a terminal a live display; elsewhere (a pipe, CI) log lines as they come. The run's log.jsonl gets every line.
            var display = io.ErrorIsTerminal ? new RunProgressDisplay(config.Name, run.Path, config.SelfImprovement.Iterations) : null;
            using var displayLog = display is null ? null : new LoggerConfiguration().MinimumLevel.Information()
                .WriteTo.File(new JsonFormatter(renderMessage: true), run.LogPath).WriteTo.Sink(display).CreateLogger();
            if (display is null) io.LogToFile(run.LogPath);
            Serilog.ILogger log = displayLog ?? io.Log;
            log.Information(resumed is null ? "Run {Name} -> {Path}" : "Resuming run {Name} in {Path}", config.Name, run.Path);
            using var pool = new WorkerPool(parse.GetValue(threads));
            var backend = new GptBackend(config, config.Task.Create(), pool);
            var head = asHead
                ? new HeadOptions(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(minWorkers), Listening: address =>
                    log.Information("Head of the cluster listening on {Address}: start worker nodes with reasoner worker --join {Address}", address, address))
                : null;
            var loop = new LoopOptions { Log = log, Head = head, Resume = resumed is not null };
            Task<RunSummary> RunAsync() => ExperimentRunner.RunAsync(config, backend, run, new ProgressLog(log, display), loop);
            RunSummary summary;
            if (display is null) summary = await RunAsync();
            else
            {
                RunSummary? finished = null;
                await io.ErrorAnsi.Live(display.Render()).StartAsync(async live =>
                {
                    display.Attach(live);
                    finished = await RunAsync();
                });
                summary = finished!;
            }
            // The last lines stay on the terminal once the live display is gone (and in log.jsonl).
            void Final(string template, params object[] values)
            {
                log.Information(template, values);
                if (display is not null) io.Log.Information(template, values);
            }
            foreach (var (accuracy, iteration) in summary.Accuracy.Select((a, i) => (a, i)))
                Final("Iteration {Iteration}: {Accuracy}", iteration, string.Join(", ", accuracy.Select(a => $"{a.Key} {a.Value:P1}")));
            Final("Wrote {Summary}", run.SummaryPath);
            io.Out.WriteLine(JsonSerializer.Serialize(new
            {
                run = run.Path,
                summary = run.SummaryPath,
                accuracy = summary.Accuracy,
                iterations = summary.Iterations.Select(i => new
                {
                    iteration = i.Iteration, searched = i.Searched, failed_attempts = i.FailedAttempts, rejected = i.Rejected,
                    mean_reward = i.MeanReward, search_seconds = i.SearchSeconds, problems_per_second = i.ProblemsPerSecond,
                    inference_requests = i.InferenceRequests, proposer_calls = i.ProposerCalls, training_steps = i.TrainingSteps, promoted = i.Promoted,
                }),
                checkpoint = summary.FinalCheckpoint,
            }));
            return 0;
        });
        return command;
    }

    /// <summary>Progress as log lines, each search phase at about every fifth of its problems (training shows its loss every
    /// hundredth step as notes); or, on a terminal, to the live display. Notes go to the log either way.</summary>
    private sealed class ProgressLog(Serilog.ILogger log, RunProgressDisplay? display = null) : ILoopObserver
    {
        public void Progress(LoopProgress p)
        {
            if (display is not null)
            {
                display.Progress(p);
                return;
            }
            int every = Math.Max(1, p.Total / 5);
            if (p.Unit != "problems" || (p.Done % every != 0 && p.Done != p.Total)) return;
            string iteration = p.Iterations > 0 ? $"{p.Iteration}/{p.Iterations}" : p.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture);
            log.Information("{Phase} [iteration {Iteration}] {Done}/{Total} problems, mean reward {Reward:0.000}, {Rate:0.00} problems/s",
                p.Phase, iteration, p.Done, p.Total, p.MeanReward, p.ProblemsPerSecond);
        }

        public void Note(string messageTemplate, params object[] values) => log.Information(messageTemplate, values);
    }
}
