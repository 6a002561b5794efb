using System.Text.Json.Nodes;

namespace Reasoner.Actors.Tests.SelfImprovement;

internal static class MetricsLines
{
    /// <summary>metrics.jsonl's rows without their wall times, the one field two runs of the same config may differ in,
    /// and without the timing rows (all wall time; a resumed run also times the phases it ran again).</summary>
    public static List<string> WithoutWallTime(string metricsPath) => File.ReadLines(metricsPath)
        .Select(line => JsonNode.Parse(line)!.AsObject())
        .Where(json => json["stage"]!.GetValue<string>() != "timing")
        .Select(json =>
        {
            json.Remove("wall_seconds");
            return json.ToJsonString();
        }).ToList();
}
