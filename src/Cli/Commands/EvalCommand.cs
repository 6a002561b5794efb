using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;
using Reasoner.Rewards;
using Reasoner.Search;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner eval</c>: System 1 and search methods on the same held-out problems and seeds, each chosen answer
/// checked by the task's verifier; accuracy with a Wilson 95% interval, compute per problem and the exact McNemar
/// p-value against System 1, as a table or one JSON line. <c>--run</c> evaluates a run's checkpoint as the run
/// evaluated its own: the same task, held-out problems, methods and search seeds.
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
        var run = new Option<string?>("--run") { Description = "A run directory: evaluate its checkpoint on the run's own task, held-out problems, methods and search seeds (instead of --checkpoint)." };
        var iteration = new Option<int?>("--iteration") { Description = "--run: the iteration whose checkpoint to evaluate (default: the last; 0: after imitation)." };
        var command = new Command("eval", "Evaluate System 1 and search methods on the same problems: accuracy [95% CI], compute, McNemar p vs System 1.");
        policy.AddTo(command);
        foreach (var option in new Option[] { split, count, problemSeed, compare, json, metrics, run, iteration }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var budget = policy.Budget(parse);
            var extra = parse.GetValue(compare) is { } list ? MethodSpec.ParseList(list) : [];
            int n = parse.GetValue(count);
            if (n < 1) throw new UserInputException($"--n must be positive, not {n}");
            Evaluation evaluation;
            if (parse.GetValue(run) is { } runPath)
            {
                foreach (var option in new Option[] { policy.Checkpoint, policy.Task, split, problemSeed }.Concat(policy.Difficulty.All))
                    if (Given(parse, option))
                        throw new UserInputException($"--run evaluates the run's own checkpoints on its own task and held-out problems: drop {option.Name}");
                evaluation = OfRun(parse, policy, io, runPath, parse.GetValue(iteration), Given(parse, count) ? n : null, budget);
            }
            else
            {
                if (Given(parse, iteration)) throw new UserInputException("--iteration picks a checkpoint of a run: give the run with --run");
                var which = parse.GetValue(split) switch
                {
                    "train" => Split.Train,
                    "test" => Split.Test,
                    var other => throw new UserInputException($"--split must be train or test, not '{other}'"),
                };
                var loaded = policy.Load(parse, io.Log);
                evaluation = new Evaluation(loaded, which, loaded.Task.Generate(which, n, parse.GetValue(problemSeed)), [policy.Method(parse)],
                    new EvaluationOptions(parse.GetValue(policy.Seed), budget), Iteration: 0);
            }
            var methods = evaluation.Methods.Concat(extra).ToList();
            var task = evaluation.Policy.Task;
            var problems = evaluation.Problems;
            using var pool = policy.Pool(parse);
            var proposer = new PolicyProposer(evaluation.Policy.Model, evaluation.Policy.Tokenizer, pool, parse.GetValue(policy.Slots));
            var evaluator = new Evaluator(task, proposer, policy.ValueEstimator(parse, task, proposer, pool));
            io.Log.Information("Evaluating {Methods} on {N} {Split} problems of {Task}", string.Join(", ", methods.Select(m => m.Label)), problems.Count, evaluation.Split, task.Name);
            var report = evaluator.Run(evaluation.Split, problems, methods, evaluation.Options,
                (method, done) => { if (done == problems.Count || done % 10 == 0) io.Log.Information("{Method}: {Done}/{N}", method, done, problems.Count); });
            if (parse.GetValue(metrics) is { } folder)
            {
                Directory.CreateDirectory(folder);
                using var metricsWriter = new MetricsWriter(Path.Combine(folder, "metrics.jsonl"), Path.Combine(folder, "metrics.csv"));
                using var outcomesWriter = new OutcomesWriter(Path.Combine(folder, "outcomes.jsonl"));
                report.Write(evaluation.Iteration, metricsWriter, outcomesWriter);
            }
            if (parse.GetValue(json)) io.Out.WriteLine(report.ToJsonLine());
            else io.Ansi.Write(Table(report));
            return 0;
        });
        return command;
    }

    /// <summary>What to evaluate: the policy and its task, the problems, the methods before --compare's, and how.</summary>
    private sealed record Evaluation(LoadedPolicy Policy, Split Split, IReadOnlyList<Problem> Problems, IReadOnlyList<MethodSpec> Methods,
        EvaluationOptions Options, int Iteration);

    /// <summary>
    /// A run's checkpoint on the run's held-out problems, with the run's methods (unless --search names one), search seeds
    /// (unless --seed names one) and longest step (unless --max-step-tokens says otherwise).
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
        var evaluationSeeds = seeds ?? config.Evaluation.Seeds;
        io.Log.Information("Run {Run}, iteration {Iteration}: {Checkpoint} on the run's held-out {Task} problems, search seeds {Seeds}",
            run.Path, k, checkpoint, held.Task.Name, string.Join(", ", evaluationSeeds));
        return new Evaluation(loaded, Split.Test, held.Problems, methods,
            new EvaluationOptions(evaluationSeeds[0], budget, held.Rewards, held.SearchSeeds), k);
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

    static Table Table(EvaluationReport report)
    {
        var table = new Table { Title = new TableTitle($"{report.Task} {report.Split}, n = {report.N}, seed {report.Seed}") };
        table.AddColumns("method", "accuracy", "95% CI", "gen tokens", "policy tokens", "value evals", "value AUC", "seconds", "p vs System 1");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
        static string F(double x, string format = "0.0") => x.ToString(format, CultureInfo.InvariantCulture);
        foreach (var m in report.Methods)
        {
            var p = report.PValueAgainstSystemOne(m.Name);
            string[] cells = [m.Name, F(m.Accuracy.Estimate, "0.000"), $"{F(m.Accuracy.Low, "0.000")}-{F(m.Accuracy.High, "0.000")}",
                F(m.MeanGeneratedTokens), F(m.MeanPolicyTokens), F(m.MeanValueEvaluations), m.ValueAuc is { } auc ? F(auc, "0.000") : "-",
                F(m.Seconds, "0.00"), p is { } v ? F(v, "0.0000") : "-"];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        table.Caption("compute per problem; value evals = states scored by the value model; value AUC: how well it ranks finished answers (0.5: not at all); p: exact McNemar, paired by problem");
        return table;
    }
}
