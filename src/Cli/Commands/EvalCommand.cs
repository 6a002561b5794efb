using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
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
        var command = new Command("eval", "Evaluate System 1 and search methods on the same problems: accuracy [95% CI], compute, McNemar p vs System 1.");
        policy.AddTo(command);
        foreach (var option in new Option[] { split, count, problemSeed, compare, json, metrics }) command.Options.Add(option);
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
            var (model, tokenizer) = policy.Load(parse, task);
            using var pool = policy.Pool(parse);
            var proposer = new PolicyProposer(model, tokenizer, pool, parse.GetValue(policy.Slots));
            var evaluator = new Evaluator(task, proposer, policy.ValueEstimator(parse, task, proposer, pool));
            var problems = task.Generate(which, n, parse.GetValue(problemSeed));
            io.Log.Information("Evaluating {Methods} on {N} {Split} problems of {Task}", string.Join(", ", methods.Select(m => m.Label)), problems.Count, which, task.Name);
            var report = evaluator.Run(which, problems, methods, new EvaluationOptions(parse.GetValue(policy.Seed), budget),
                (method, done) => { if (done == problems.Count || done % 10 == 0) io.Log.Information("{Method}: {Done}/{N}", method, done, problems.Count); });
            if (parse.GetValue(metrics) is { } folder)
            {
                Directory.CreateDirectory(folder);
                using var metricsWriter = new MetricsWriter(Path.Combine(folder, "metrics.jsonl"), Path.Combine(folder, "metrics.csv"));
                using var outcomesWriter = new OutcomesWriter(Path.Combine(folder, "outcomes.jsonl"));
                report.Write(0, metricsWriter, outcomesWriter);
            }
            if (parse.GetValue(json)) io.Out.WriteLine(report.ToJsonLine());
            else io.Ansi.Write(Table(report));
            return 0;
        });
        return command;
    }

    static Table Table(EvaluationReport report)
    {
        var table = new Table { Title = new TableTitle($"{report.Task} {report.Split}, n = {report.N}, seed {report.Seed}") };
        table.AddColumns("method", "accuracy", "95% CI", "gen tokens", "policy tokens", "value evals", "AUC finished", "AUC partial", "seconds", "p vs System 1");
        foreach (var column in table.Columns.Skip(1)) column.RightAligned();
        static string F(double x, string format = "0.0") => x.ToString(format, CultureInfo.InvariantCulture);
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
