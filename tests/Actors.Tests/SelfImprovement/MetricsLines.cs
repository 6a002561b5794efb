using System.Text.Json.Nodes;

namespace Reasoner.Actors.Tests.SelfImprovement;

internal static class MetricsLines
{
    /// <summary>metrics.jsonl's rows without their wall times, the one field two runs of the same config may differ in.</summary>
    public static List<string> WithoutWallTime(string metricsPath) => File.ReadLines(metricsPath).Select(line =>
    {
        var json = JsonNode.Parse(line)!.AsObject();
        json.Remove("wall_seconds");
        return json.ToJsonString();
    }).ToList();
}
