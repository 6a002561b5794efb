using System.Text;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Reports;

/// <summary>The final evaluation of several runs side by side: each run's last evaluated iteration, per method.</summary>
public sealed record RunComparison(IReadOnlyList<string> Runs, IReadOnlyList<MethodResult?[]> Rows, IReadOnlyList<string> Methods)
{
    public static RunComparison Load(IReadOnlyList<RunDirectory> runs) =>
        From(runs.Select(r => (r.Name, MetricsReader.Read(r.MetricsJsonlPath), MetricsReader.ReadOutcomes(r.OutcomesPath))).ToList());

    public static RunComparison From(IReadOnlyList<(string Name, IReadOnlyList<MetricsRow> Metrics, IReadOnlyList<ProblemOutcome> Outcomes)> runs)
    {
        var finals = runs.Select(run =>
        {
            var results = MethodResult.From(run.Metrics, run.Outcomes);
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
        var table = Table();
        var widths = Enumerable.Range(0, table[0].Count).Select(c => table.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var line in table)
        {
            text.AppendLine(string.Join("  ", line.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }

    /// <summary>The same table in Markdown, numbers right-aligned.</summary>
    public string RenderMarkdown()
    {
        var table = Table();
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", table[0]) + " |");
        text.AppendLine("|---|" + string.Concat(Runs.Select(_ => "---|---:|---:|")));
        foreach (var line in table.Skip(1))
        {
            text.AppendLine("| " + string.Join(" | ", line) + " |");
        }
        return text.ToString();
    }

    /// <summary>Header, then one row per method: per run, accuracy [95% CI], iteration, generated tokens per problem.</summary>
    private List<List<string>> Table()
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
                    : [SummaryReport.Accuracy(result), result.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture), SummaryReport.Number(result.GeneratedTokensPerProblem)]);
            }
            table.Add(line);
        }
        return table;
    }
}
