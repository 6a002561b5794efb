using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Rewards;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner eval</c>: System 1 and search methods on the same held-out problems and seeds, each chosen answer
/// checked by the task's verifier; accuracy with a Wilson 95% interval, compute per problem and the exact McNemar
/// p-value against System 1, as a table or one JSON line.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var policy = new PolicyOptions("greedy");
        var split = new Option<string>("--split") { Description = "train or test.", DefaultValueFactory = _ => "test" };
        var count = new Option<int>("--n") { Description = "Problems to evaluate.", DefaultValueFactory = _ => 100 };
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
        var command = new Command("eval", "Evaluate System 1 and search methods on the same problems: accuracy [95% CI], compute, McNemar p vs System 1, and accuracy at equal generated tokens.");
        policy.AddTo(command);
        foreach (var option in new Option[] { split, count, problemSeed, compare, json, metrics, budgetSamples, budgetScales, budgetTemperature }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var task = policy.BuildTask(parse);
            var which = parse.GetValue(split) switch
            {
                "train" => Split.Train,
                "test" => Split.Test,
                var other => throw new UserInputException($"--split must be train or test, not '{other}'"),
            };
            var n = parse.GetValue(count);
            if (n < 1) throw new UserInputException($"--n must be positive, not {n}");
            var methods = new List<MethodSpec> { policy.Method(parse) };
            if (parse.GetValue(compare) is { } list) methods.AddRange(MethodSpec.ParseList(list));
            var budget = policy.Budget(parse);
            var budgets = Budgets(parse.GetValue(budgetSamples), parse.GetValue(budgetScales)!);
            var temperature = parse.GetValue(budgetTemperature);
            if (!(temperature > 0)) throw new UserInputException($"--budget-temperature must be positive, not {temperature.ToString(CultureInfo.InvariantCulture)}");
            var (model, tokenizer) = policy.Load(parse, task);
            using var pool = policy.Pool(parse);
            var proposer = new PolicyProposer(model, tokenizer, pool, parse.GetValue(policy.Slots));
            var evaluator = new Evaluator(task, proposer, policy.ValueEstimator(parse, task, proposer, pool));
            var problems = task.Generate(which, n, parse.GetValue(problemSeed));
            io.Log.Information("Evaluating {Methods} on {N} {Split} problems of {Task}", string.Join(", ", methods.Select(m => m.Label)), problems.Count, which, task.Name);
            var report = evaluator.Run(which, problems, methods, new EvaluationOptions(parse.GetValue(policy.Seed), budget, Budgets: budgets, SamplingTemperature: temperature),
                (method, done) => { if (done == problems.Count || done % 10 == 0) io.Log.Information("{Method}: {Done}/{N}", method, done, problems.Count); });
            if (parse.GetValue(metrics) is { } folder)
            {
                Directory.CreateDirectory(folder);
                using var metricsWriter = new MetricsWriter(Path.Combine(folder, "metrics.jsonl"), Path.Combine(folder, "metrics.csv"));
                using var outcomesWriter = new OutcomesWriter(Path.Combine(folder, "outcomes.jsonl"));
                report.Write(0, metricsWriter, outcomesWriter);
            }
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
            return 0;
        });
        return command;
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
        table.AddColumns("method", "accuracy", "95% CI", "gen tokens", "policy tokens", "value evals", "value AUC", "seconds", "p vs System 1");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
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
