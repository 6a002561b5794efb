using System.Text.Json;

namespace Reasoner.Search;

/// <summary>
/// A search's tree as JSON for inspection: {"method", "chosen_path", "completion", "spent", "nodes": [{"id",
/// "parent", "depth", "step", "kind", "visits", "value_sum", "value", "prior", "log_prob", "chosen"}]}.
/// Unevaluated values are null.
/// </summary>
public static class SearchTreeJson
{
    public static void Write(SearchResult result, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var tree = result.Tree;
        var chosen = result.ChosenPath.ToHashSet();
        json.WriteStartObject();
        json.WriteString("method", result.Method);
        json.WriteString("completion", result.Completion);
        json.WriteString("answer", result.Answer);
        json.WriteStartArray("chosen_path");
        foreach (var n in result.ChosenPath) json.WriteNumberValue(n);
        json.WriteEndArray();
        json.WriteStartObject("spent");
        json.WriteNumber("generated_tokens", result.Spent.GeneratedTokens);
        json.WriteNumber("forward_tokens", result.Spent.ForwardTokens);
        json.WriteNumber("proposer_calls", result.Spent.ProposerCalls);
        json.WriteNumber("value_calls", result.Spent.ValueCalls);
        json.WriteNumber("value_evaluations", result.Spent.ValueEvaluations);
        json.WriteNumber("nodes", result.Spent.Nodes);
        json.WriteNumber("wall_seconds", result.Spent.WallTime.TotalSeconds);
        json.WriteEndObject();
        json.WriteStartArray("nodes");
        for (var n = 0; n < tree.Count; n++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", n);
            json.WriteNumber("parent", tree.Parent[n]);
            json.WriteNumber("depth", tree.Depth[n]);
            json.WriteString("step", tree.Step[n]);
            json.WriteString("kind", tree.Kind[n].ToString().ToLowerInvariant());
            json.WriteNumber("visits", tree.Visits[n]);
            json.WriteNumber("value_sum", tree.ValueSum[n]);
            if (float.IsNaN(tree.Value[n])) json.WriteNull("value"); else json.WriteNumber("value", tree.Value[n]);
            json.WriteNumber("prior", tree.Prior[n]);
            json.WriteNumber("log_prob", tree.LogProb[n]);
            json.WriteBoolean("chosen", chosen.Contains(n));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static string ToJson(SearchResult result)
    {
        using var stream = new MemoryStream();
        Write(result, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
