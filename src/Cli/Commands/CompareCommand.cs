using System.CommandLine;
using System.Text.Json;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;

namespace Reasoner.Cli.Commands;

/// <summary><c>reasoner compare RUN_A RUN_B ... [--html FILE]</c>: the final evaluation of each run side by side.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runDirectories = new Argument<string[]>("run-dirs") { Description = "Run directories to compare", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per run and method instead of the table" };
        var html = new Option<string?>("--html") { Description = "Also write one self-contained HTML page to this file: the table, then each run's summary with its plots inline" };
        var command = new Command("compare", "Compare the final evaluation (last evaluated iteration) of several runs: per method, accuracy [95% CI] and generated tokens per problem.");
        command.Arguments.Add(runDirectories);
        command.Options.Add(json);
        command.Options.Add(html);
        command.SetAction(parseResult =>
        {
            using var io = CommandIO.Of(parseResult);
            var runs = parseResult.GetValue(runDirectories)!.Select(RunDirectory.Open).ToList();
            var comparison = RunComparison.Load(runs);
            if (parseResult.GetValue(html) is { } page)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(page)) is { } folder && !Directory.Exists(folder))
                    throw new UserInputException($"--html {page}: folder {folder} does not exist");
                File.WriteAllText(page, RunReport.ComparisonHtml(runs));
                io.Log.Information("Wrote {Path}", page);
            }
            if (!parseResult.GetValue(json))
            {
                io.Out.Write(comparison.RenderText());
                return 0;
            }
            for (int m = 0; m < comparison.Methods.Count; m++)
            {
                for (int r = 0; r < comparison.Runs.Count; r++)
                {
                    if (comparison.Rows[m][r] is { } result)
                    {
                        io.Out.WriteLine(JsonSerializer.Serialize(new
                        {
                            run = comparison.Runs[r],
                            iteration = result.Iteration,
                            method = result.Method,
                            n = result.N,
                            seeds = result.Seeds,
                            accuracy = result.Accuracy?.Estimate,
                            ci_low = Finite(result.Accuracy?.Low),
                            ci_high = Finite(result.Accuracy?.High),
                            generated_tokens_per_problem = result.GeneratedTokensPerProblem,
                            policy_tokens_per_problem = result.PolicyTokensPerProblem,
                            value_calls_per_problem = result.ValueCallsPerProblem,
                        }));
                    }
                }
            }
            return 0;
        });
        return command;
    }

    // JSON has no NaN: an interval that was never logged is null.
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
