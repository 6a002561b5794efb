namespace Reasoner.Experiments.Metrics;

/// <summary>Appends records to a JSON-lines file (<see cref="JsonLines"/>' format), flushing each line. Safe to call from several threads.</summary>
public class JsonLinesWriter<T>(string path) : IDisposable
{
    private readonly StreamWriter writer = MetricsWriter.Open(path);
    private readonly Lock gate = new();

    public void Append(T row)
    {
        ArgumentNullException.ThrowIfNull(row);
        string json = JsonLines.Serialize(row);
        lock (gate)
        {
            writer.WriteLine(json);
        }
    }

    public void Dispose() => writer.Dispose();
}
