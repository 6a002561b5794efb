using System.Globalization;
using System.Text;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Reports;

/// <summary>The summary's "Value model" section: where the value's targets came from, and how well it ranked, from value.jsonl.</summary>
internal static class ValueReport
{
    /// <param name="source">A sentence naming the value's targets and network (from the run's config), or null.</param>
    public static string Render(IReadOnlyList<ValueRankingRow> rows, string? source)
    {
        if (rows.Count == 0 && source is null) return "";
        var text = new StringBuilder();
        text.AppendLine("## Value model").AppendLine();
        if (source is not null) text.AppendLine(source).AppendLine();
        if (rows.Count == 0) return text.ToString();
        text.AppendLine("""
            How well the value ranks the states each search met on the held-out problems: the AUC of its values against the
            verifier over finished answers, and against the task's exact oracle (can this state still be solved?) over
            partial states, with the number of states and how many of them were right or solvable. 0.5: it cannot rank.
            """).AppendLine();
        text.AppendLine("| iteration | method | finished AUC | finished states (right) | partial AUC | partial states (solvable) | partial AUC by depth |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---|");
        foreach (var row in rows.OrderBy(r => r.Iteration))
        {
            var value = row.Value;
            var byDepth = string.Join(", ", value.ByDepth.Select(d => $"{d.Depth}: {Auc(d.Auc)} ({d.States})"));
            text.AppendLine(FormattableString.Invariant(
                $"| {row.Iteration} | {row.Method} | {Auc(value.FinishedAuc)} | {value.FinishedStates} ({value.FinishedSolvable}) | {Auc(value.PartialAuc)} | {value.PartialStates} ({value.PartialSolvable}) | {byDepth} |"));
        }
        return text.AppendLine().ToString();
    }

    private static string Auc(double? auc) => auc?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-";
}
