using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;
using Reasoner.Rewards;
using Reasoner.Search;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner eval</c>: System 1 and search methods on the same held-out problems and seeds, each chosen answer
/// checked by the task's verifier; accuracy with a Wilson 95% interval, compute per problem and the exact McNemar
/// p-value against System 1, as a table or one JSON line. <c>--run</c> evaluates a run's checkpoint as the run
/// evaluated its own: the same task, held-out problems, methods, equal-compute budgets and search seeds.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var policy = new PolicyOptions("greedy");
        var split = new Option<string>("--split") { Description = "train or test.", DefaultValueFactory = _ => "test" };
        var count = new Option<int>("--n") { Description = "Problems to evaluate (--run: the first N of the run's; default all).", DefaultValueFactory = _ => 100 };
        var problemSeed = new Option<int>("--problem-seed") { Description = "Seed of the problem generator.", DefaultValueFactory = _ => 0 };
        var compare = new Option<string?>("--compare") { Description = "More methods, comma-separated, each with options in brackets: sample[samples=8],mcts[simulations=32;c-puct=2]." };
        var json = new Option<bool>("--json") { Description = "Print one JSON line instead of the table." };
        var metrics = new Option<string?>("--metrics-dir") { Description = "Also append metrics.jsonl/.csv and outcomes.jsonl rows to this folder." };
        var defaults = new EvaluationBudgets();
        var budgetSamples = new Option<int>("--budget-samples")
        {
            Description = "Equal compute: one run of this many samples per problem gives maj@k, best-of-k and pass@k at every k (0: none).",
            DefaultValueFactory = _ => defaults.Samples,
        };
        var budgetScales = new Option<string>("--budget-scales")
        {
            Description = "Equal compute: each tree search also runs at these fractions of its size, comma-separated ('' for none).",
            DefaultValueFactory = _ => string.Join(",", defaults.SearchScales.Select(x => x.ToString(CultureInfo.InvariantCulture))),
        };
        var budgetTemperature = new Option<double>("--budget-temperature") { Description = "Temperature of the equal-compute sampling run.", DefaultValueFactory = _ => 1.0 };
        var run = new Option<string?>("--run") { Description = "A run directory: evaluate its checkpoint on the run's own task, held-out problems, methods, budgets and search seeds (instead of --checkpoint)." };
        var iteration = new Option<int?>("--iteration") { Description = "--run: the iteration whose checkpoint to evaluate (default: the last; 0: after imitation)." };
        var parallel = new Option<int>("--parallel")
        {
            Description = $"Problems searched at once, their policy calls batched (each keeps its own seed); default {DefaultParallel} (bench/eval-throughput.sh measures what pays; with --think-seconds each problem's budget then pays for shared batches too).",
            DefaultValueFactory = _ => DefaultParallel,
        };
        var command = new Command("eval", "Evaluate System 1 and search methods on the same problems: accuracy [95% CI], compute, McNemar p vs System 1, and accuracy at equal generated tokens.");
        policy.AddTo(command);
        foreach (var option in new Option[] { split, count, problemSeed, compare, json, metrics, budgetSamples, budgetScales, budgetTemperature, run, iteration, parallel })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var budget = policy.Budget(parse);
            var extra = parse.GetValue(compare) is { } list ? MethodSpec.ParseList(list) : [];
            int n = parse.GetValue(count);
            if (n < 1) throw new UserInputException($"--n must be positive, not {n}");
            var temperature = parse.GetValue(budgetTemperature);
            if (!(temperature > 0)) throw new UserInputException($"--budget-temperature must be positive, not {temperature.ToString(CultureInfo.InvariantCulture)}");
            var budgets = Budgets(parse.GetValue(budgetSamples), parse.GetValue(budgetScales)!);
            Evaluation evaluation;
            if (parse.GetValue(run) is { } runPath)
            {
                foreach (var option in new Option[] { policy.Checkpoint, policy.Task, split, problemSeed }.Concat(policy.Difficulty.All))
                    if (Given(parse, option))
                        throw new UserInputException($"--run evaluates the run's own checkpoints on its own task and held-out problems: drop {option.Name}");
                evaluation = OfRun(parse, policy, io, runPath, parse.GetValue(iteration), Given(parse, count) ? n : null, budget);
                // The run's equal-compute budgets, unless the command line gives its own.
                if (Given(parse, budgetSamples) || Given(parse, budgetScales)) evaluation = evaluation with { Options = evaluation.Options with { Budgets = budgets } };
                if (Given(parse, budgetTemperature)) evaluation = evaluation with { Options = evaluation.Options with { SamplingTemperature = temperature } };
            }
            else
            {
                if (Given(parse, iteration)) throw new UserInputException("--iteration picks a checkpoint of a run: give the run with --run");
                if (!Given(parse, policy.Checkpoint)) throw new UserInputException("give a policy with --checkpoint, or a run directory with --run");
                var which = parse.GetValue(split) switch
                {
                    "train" => Split.Train,
                    "test" => Split.Test,
                    var other => throw new UserInputException($"--split must be train or test, not '{other}'"),
                };
                var loaded = policy.Load(parse, io.Log);
                int seed = parse.GetValue(policy.Seed);
                evaluation = new Evaluation(loaded, which, loaded.Task.Generate(which, n, parse.GetValue(problemSeed)), [policy.Method(parse)],
                    new EvaluationOptions(seed, budget, Budgets: budgets, SamplingTemperature: temperature), [(seed, null)], Iteration: 0);
            }
            var methods = evaluation.Methods.Concat(extra).ToList();
            var task = evaluation.Policy.Task;
            var problems = evaluation.Problems;
            using var pool = policy.Pool(parse);
            var proposer = new PolicyProposer(evaluation.Policy.Model, evaluation.Policy.Tokenizer, pool, parse.GetValue(policy.Slots));
            // Both value models read the state only (the policy's head its cache, a value network its tokens): states of
            // problems searched together share one call.
            var inference = new InferenceBackend(proposer, policy.ValueEstimator(parse, task, proposer, pool, evaluation.ValuePath), ValueReadsStateOnly: true);
            var evaluator = new Evaluator(task, inference, Parallel(parse, parallel));
            io.Log.Information("Evaluating {Methods} on {N} {Split} problems of {Task}", string.Join(", ", methods.Select(m => m.Label)), problems.Count, evaluation.Split, task.Name);
            var reports = new List<EvaluationReport>();
            foreach (var (seed, searchSeeds) in evaluation.Seeds)
            {
                reports.Add(evaluator.Run(evaluation.Split, problems, methods, evaluation.Options with { Seed = seed, SearchSeeds = searchSeeds },
                    (method, done) => { if (done == problems.Count || done % 10 == 0) io.Log.Information("{Method}: {Done}/{N}", method, done, problems.Count); }));
            }
            if (parse.GetValue(metrics) is { } folder)
            {
                Directory.CreateDirectory(folder);
                using var metricsWriter = new MetricsWriter(Path.Combine(folder, "metrics.jsonl"), Path.Combine(folder, "metrics.csv"));
                using var outcomesWriter = new OutcomesWriter(Path.Combine(folder, "outcomes.jsonl"));
                foreach (var report in reports) report.Write(evaluation.Iteration, metricsWriter, outcomesWriter);
            }
            foreach (var report in reports)
            {
                var compute = report.EqualCompute();
                if (parse.GetValue(json))
                {
                    io.Out.WriteLine(report.ToJsonLine(compute));
                }
                else
                {
                    io.Ansi.Write(Table(report));
                    if (compute is not null)
                    {
                        io.Ansi.Write(ComputeTable(compute));
                        if (compute.Verdicts.Count > 0) io.Ansi.Write(VerdictTable(compute));
                    }
                }
            }
            if (reports.Count > 1 && !parse.GetValue(json)) io.Ansi.Write(PooledTable(reports, evaluation.Iteration));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// What to evaluate: the policy and its task, the problems, the methods before --compare's, the options every seed
    /// shares, and each evaluation seed with the seeds of its searches (null: the evaluator's own, from the seed).
    /// </summary>
    private sealed record Evaluation(LoadedPolicy Policy, Split Split, IReadOnlyList<Problem> Problems, IReadOnlyList<MethodSpec> Methods,
        EvaluationOptions Options, IReadOnlyList<(int Seed, IReadOnlyList<int>? SearchSeeds)> Seeds, int Iteration, string? ValuePath = null);

    /// <summary>
    /// A run's checkpoint on the run's held-out problems, with the run's methods (unless --search names one), equal-compute
    /// budgets, evaluation seeds (unless --seed names one) and longest step (unless --max-step-tokens says otherwise).
    /// </summary>
    private static Evaluation OfRun(ParseResult parse, PolicyOptions policy, CommandIO io, string path, int? iteration, int? count, SearchBudget budget)
    {
        var run = RunDirectory.Open(path);
        var config = ConfigBinder.LoadFile<ExperimentConfig>(run.ConfigPath);
        if (count > config.Evaluation.Problems)
            throw new UserInputException($"--n {count} is more than the {config.Evaluation.Problems} held-out problems {run.Path} evaluated (evaluation.problems)");
        var (k, checkpoint) = RunCheckpoint(run, iteration);
        int[]? seeds = Given(parse, policy.Seed) ? [parse.GetValue(policy.Seed)] : null;
        var held = RunEvaluation.Of(config, seeds, count);
        var loaded = PolicyOptions.Load(checkpoint, held.Task);
        if (!Given(parse, policy.MaxStepTokens)) budget = budget with { MaxStepTokens = held.Budget.MaxStepTokens };
        IReadOnlyList<MethodSpec> methods = Given(parse, policy.Search) ? [policy.Method(parse)] : held.Methods;
        io.Log.Information("Run {Run}, iteration {Iteration}: {Checkpoint} on the run's held-out {Task} problems, evaluation seeds {Seeds}",
            run.Path, k, checkpoint, held.Task.Name, string.Join(", ", held.Seeds));
        // A separate value network sits beside the policy checkpoint: the run searched with it, and so does this evaluation.
        string? value = config.Imitation.ValueNetwork == ValueNetwork.Separate ? Reasoner.Actors.SelfImprovement.GptBackend.ValuePath(checkpoint) : null;
        if (value is not null && !File.Exists(value))
            throw new FileNotFoundException($"{run.Path} searched with a separate value network, but {value} is missing", value);
        if (value is not null) io.Log.Information("Value network: {Value}", value);
        return new Evaluation(loaded, Split.Test, held.Problems, methods,
            new EvaluationOptions(held.Seeds[0], budget, held.Rewards, held.Budgets, held.SamplingTemperature),
            [.. held.Seeds.Select(seed => (seed, (IReadOnlyList<int>?)held.SearchSeeds(seed)))], k, value);
    }

    /// <summary>checkpoints/iteration-K.safetensors of the run: K as asked, or the last the run wrote.</summary>
    private static (int Iteration, string Path) RunCheckpoint(RunDirectory run, int? iteration)
    {
        var written = Directory.Exists(run.CheckpointsPath)
            ? Directory.GetFiles(run.CheckpointsPath, "iteration-*.safetensors")
                .Select(file => Path.GetFileNameWithoutExtension(file)["iteration-".Length..])
                .Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int k) ? k : (int?)null)
                .OfType<int>().Order().ToList()
            : [];
        if (written.Count == 0) throw new FileNotFoundException($"{run.Path} has no checkpoints (checkpoints/iteration-K.safetensors)", run.CheckpointsPath);
        int chosen = iteration ?? written[^1];
        if (!written.Contains(chosen))
            throw new FileNotFoundException($"{run.Path} has no checkpoint of iteration {chosen} (it has {string.Join(", ", written)})",
                Path.Combine(run.CheckpointsPath, $"iteration-{chosen}.safetensors"));
        return (chosen, Path.Combine(run.CheckpointsPath, $"iteration-{chosen}.safetensors"));
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    // Problems searched at once by default, measured with bench/eval-throughput.sh: on the 2-core machine the kernels
    // already use both cores for one search's few-row calls, and batching 8 problems did not pay (MCTS 8.9 vs 9.1
    // problems/s, ToT-BFS 12.8 vs 16.7 with the 4-layer d128 policy), so one at a time; a machine with more cores may
    // differ: measure with the script.
    internal const int DefaultParallel = 1;

    /// <summary>--parallel, checked. With --think-seconds a search's wall time includes the batches it shares with the
    /// others, so a time budget buys less thinking the more problems run at once: the default, 1, keeps them apart.</summary>
    private static int Parallel(ParseResult parse, Option<int> parallel)
    {
        int k = parse.GetValue(parallel);
        if (k < 1) throw new UserInputException($"--parallel must be positive, not {k}");
        return k;
    }

    /// <summary>Each method over every seed, each problem counted once with its score averaged over the seeds, as a run's summary pools them.</summary>
    static Table PooledTable(IReadOnlyList<EvaluationReport> reports, int iteration)
    {
        var outcomes = reports.SelectMany(r => r.Outcomes(iteration)).ToList();
        var table = new Table { Title = new TableTitle($"pooled over seeds {string.Join(", ", reports.Select(r => r.Seed))}, each problem counted once") };
        table.AddColumns("method", "accuracy", "95% CI");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
        foreach (var method in reports[0].Methods.Select(m => m.Name))
        {
            if (ProblemScores.TopOne(outcomes, iteration, method) is not { } scores) continue;
            var accuracy = scores.Accuracy;
            string[] cells = [method, F(accuracy.Estimate, "0.000"), $"{F(accuracy.Low, "0.000")}-{F(accuracy.High, "0.000")}"];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        return table;
    }

    /// <summary>The --budget-* options as a config record, checked as the config key evaluation.budgets is.</summary>
    static EvaluationBudgets Budgets(int samples, string scales)
    {
        var parsed = new List<double>();
        foreach (var text in scales.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            parsed.Add(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale)
                ? scale
                : throw new UserInputException($"--budget-scales: '{text}' is not a number"));
        if (samples < 0) throw new UserInputException($"--budget-samples must be 0 or more, not {samples}");
        var budgets = new EvaluationBudgets(samples, parsed);
        if (budgets.Validate().Select(issue => issue.Problem).FirstOrDefault() is { } problem) throw new UserInputException($"--budget-scales: {problem}");
        return budgets;
    }

    static Table ComputeTable(ComputeComparison compute)
    {
        var title = compute.Samples is { } n ? $"at equal compute (maj@k, best-of-k, pass@k: k-subsets of {n} samples)" : "at equal compute";
        var table = new Table { Title = new TableTitle(title) };
        table.AddColumns("method", "gen tokens", "value evals", "accuracy", "95% CI");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
        foreach (var point in compute.Points.OrderBy(p => p.Oracle).ThenBy(p => p.Series == "system1" ? 0 : 1).ThenBy(p => p.GeneratedTokensPerProblem))
        {
            var accuracy = point.Scores.Accuracy;
            string[] cells = [point.Oracle ? $"{point.Label} (oracle)" : point.Label, F(point.GeneratedTokensPerProblem),
                point.Scores.ValueCallsPerProblem is { } v ? F(v) : "-", F(accuracy.Estimate, "0.000"), $"{F(accuracy.Low, "0.000")}-{F(accuracy.High, "0.000")}"];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        table.Caption("per problem; maj@k, best-of-k and pass@k cost k/n of the sampling run's tokens; pass@k is an oracle bound, not a method");
        return table;
    }

    static Table VerdictTable(ComputeComparison compute)
    {
        var table = new Table { Title = new TableTitle("is search ahead at equal tokens?") };
        table.AddColumns("search", "gen tokens", "accuracy", "vs System 1", "vs maj@k at >= its tokens", "vs best-of-k at >= its tokens");
        foreach (var verdict in compute.Verdicts)
        {
            string Matched(MatchedBudget? matched) => matched is not null
                ? $"{matched.Label} ({F(matched.GeneratedTokensPerProblem)} tokens, {F(matched.Accuracy.Estimate, "0.000")}): {ComputeComparison.Verdict(matched.Test)}"
                : verdict.SamplesNeeded is { } needed ? $"not matched: needs --budget-samples {needed}" : "-";
            string[] cells = [verdict.Search.Label, F(verdict.Search.GeneratedTokensPerProblem), F(verdict.Search.Scores.Accuracy.Estimate, "0.000"),
                verdict.VersusSystemOne is { } test ? ComputeComparison.Verdict(test) : "-", Matched(verdict.VersusMajority), Matched(verdict.VersusBest)];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        table.Caption($"paired tests over problems; ahead/behind: p < {ComputeComparison.Alpha.ToString(CultureInfo.InvariantCulture)}");
        return table;
    }

    static string F(double x, string format = "0.0") => x.ToString(format, CultureInfo.InvariantCulture);

    static Table Table(EvaluationReport report)
    {
        var table = new Table { Title = new TableTitle($"{report.Task} {report.Split}, n = {report.N}, seed {report.Seed}") };
        table.AddColumns("method", "accuracy", "95% CI", "gen tokens", "policy tokens", "value evals", "AUC finished", "AUC partial", "seconds", "p vs System 1");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
        foreach (var m in report.Methods)
        {
            var p = report.PValueAgainstSystemOne(m.Name);
            string[] cells = [m.Name, F(m.Accuracy.Estimate, "0.000"), $"{F(m.Accuracy.Low, "0.000")}-{F(m.Accuracy.High, "0.000")}",
                F(m.MeanGeneratedTokens), F(m.MeanPolicyTokens), F(m.MeanValueEvaluations), m.Value?.FinishedAuc is { } finished ? F(finished, "0.000") : "-",
                m.Value?.PartialAuc is { } partial ? F(partial, "0.000") : "-",
                F(m.Seconds, "0.00"), p is { } v ? F(v, "0.0000") : "-"];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        table.Caption("compute per problem; value evals = states scored by the value model; AUC: how well its values rank the finished answers (against the verifier) and the partial states (against the task's oracle) the search met, 0.5: not at all (--json has them by depth); p: exact McNemar, paired by problem");
        return table;
    }
}
