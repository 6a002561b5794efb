using System.Text;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Reports;

/// <summary>The final evaluation of several runs side by side: each run's last evaluated iteration, per method.</summary>
public sealed record RunComparison(IReadOnlyList<string> Runs, IReadOnlyList<MethodResult?[]> Rows, IReadOnlyList<string> Methods)
{
    public static RunComparison Load(IReadOnlyList<RunDirectory> runs) =>
        From(runs.Select(r => (r.Name, MetricsReader.Read(r.MetricsJsonlPath))).ToList());

    public static RunComparison From(IReadOnlyList<(string Name, IReadOnlyList<MetricsRow> Metrics)> runs)
    {
        var finals = runs.Select(run =>
        {
            var results = MethodResult.FromMetrics(run.Metrics);
            return results.Count == 0 ? [] : results.Where(r => r.Iteration == results.Max(x => x.Iteration)).ToList();
        }).ToList();
        var methods = finals.SelectMany(f => f.Select(r => r.Method)).Distinct()
            .OrderBy(m => m == MethodResult.Baseline ? 0 : 1).ToList();
        var rows = methods.Select(m => finals.Select(f => f.FirstOrDefault(r => r.Method == m)).ToArray()).ToList();
        return new RunComparison(runs.Select(r => r.Name).ToList(), rows, methods);
    }

    /// <summary>A plain-text table: one row per method; per run, the iteration, accuracy [95% CI] and generated tokens per problem.</summary>
    public string RenderText()
    {
        var header = new List<string> { "method" };
        foreach (string run in Runs)
        {
            header.AddRange([$"{run} accuracy [95% CI]", "iter", "tokens/problem"]);
        }
        var table = new List<List<string>> { header };
        for (int i = 0; i < Methods.Count; i++)
        {
            var line = new List<string> { Methods[i] };
            foreach (var result in Rows[i])
            {
                line.AddRange(result is null
                    ? ["-", "-", "-"]
                    : [SummaryReport.Accuracy(result), result.Iteration.ToString(), SummaryReport.Number(result.GeneratedTokensPerProblem)]);
            }
            table.Add(line);
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => table.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var line in table)
        {
            text.AppendLine(string.Join("  ", line.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }
}
