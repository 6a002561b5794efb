using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Reasoner.Experiments.Metrics;

/// <summary>
/// Appends <see cref="MetricsRow"/>s to metrics.jsonl (what reports read) and metrics.csv (for spreadsheets), flushing
/// both after every row. Appending to existing files continues a run. Safe to call from several threads.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    private static readonly ImmutableArray<PropertyInfo> Columns = typeof(MetricsRow).GetConstructors()[0].GetParameters()
        .Select(p => typeof(MetricsRow).GetProperty(p.Name!)!).ToImmutableArray();

    private readonly StreamWriter jsonl;
    private readonly StreamWriter csv;
    private readonly Lock gate = new();

    public MetricsWriter(string jsonlPath, string csvPath)
    {
        jsonl = Open(jsonlPath);
        csv = Open(csvPath);
        if (csv.BaseStream.Length == 0)
        {
            csv.WriteLine(string.Join(',', Columns.Select(c => JsonNamingPolicy.SnakeCaseLower.ConvertName(c.Name))));
        }
    }

    public static MetricsWriter ForRun(Runs.RunDirectory run) => new(run.MetricsJsonlPath, run.MetricsCsvPath);

    public void Append(MetricsRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string json = JsonLines.Serialize(row);
        string line = string.Join(',', Columns.Select(c => CsvCell(c.GetValue(row))));
        lock (gate)
        {
            jsonl.WriteLine(json);
            csv.WriteLine(line);
        }
    }

    public void Dispose()
    {
        jsonl.Dispose();
        csv.Dispose();
    }

    internal static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };

    /// <summary>Invariant numbers ("R" for doubles so values round-trip), true/false as in JSON, kebab-case stages, RFC 4180 quoting, empty for null.</summary>
    private static string CsvCell(object? value)
    {
        string text = value switch
        {
            null => "",
            double real => real.ToString("R", CultureInfo.InvariantCulture),
            bool flag => flag ? "true" : "false",
            Stage stage => JsonNamingPolicy.KebabCaseLower.ConvertName(stage.ToString()),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }
}
