using System.Globalization;

namespace Reasoner.Experiments.Runs;

/// <summary>
/// The folder one run writes: <c>&lt;results&gt;/&lt;experiment&gt;-&lt;yyyyMMdd-HHmmss&gt;/</c> (UTC) with the resolved config,
/// metrics, outcomes, the JSON log, <c>checkpoints/</c>, <c>summary.md</c>, <c>report.html</c> and <c>plots/</c>. Everything a report
/// needs is in the folder, so <c>reasoner report</c> can rebuild it later.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string path)
    {
        Path = path;
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public string ConfigPath => Combine("config.yaml");
    public string MetricsJsonlPath => Combine("metrics.jsonl");
    public string MetricsCsvPath => Combine("metrics.csv");
    public string OutcomesPath => Combine("outcomes.jsonl");
    /// <summary>How well the value model ranked the states each evaluated search met (<see cref="Metrics.ValueRankingRow"/>).</summary>
    public string ValuePath => Combine("value.jsonl");
    public string LogPath => Combine("log.jsonl");
    public string SummaryPath => Combine("summary.md");
    public string ReportPath => Combine("report.html");
    public string CheckpointsPath => Combine("checkpoints");
    public string PlotsPath => Combine("plots");
    /// <summary>The loop's journal: one line per completed stage, what a resumed run continues from.</summary>
    public string ProgressPath => Combine("progress.jsonl");
    /// <summary>Every self-play episode, so that a resumed run refills its replay buffer as it was.</summary>
    public string EpisodesPath => Combine("episodes.jsonl");

    /// <summary>
    /// Creates a fresh run folder stamped with <paramref name="clock"/>'s UTC time. Two runs started in the same second
    /// get <c>-2</c>, <c>-3</c>, ... rather than sharing a folder.
    /// </summary>
    public static RunDirectory Create(string resultsRoot, string experimentName, TimeProvider clock)
    {
        if (experimentName.Length == 0 || experimentName.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"experiment name '{experimentName}' cannot name a folder", nameof(experimentName));
        }
        string stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string basePath = System.IO.Path.Combine(resultsRoot, $"{experimentName}-{stamp}");
        string path = basePath;
        for (int attempt = 2; Directory.Exists(path); attempt++)
        {
            path = $"{basePath}-{attempt}";
        }
        var run = new RunDirectory(path);
        Directory.CreateDirectory(run.CheckpointsPath);
        Directory.CreateDirectory(run.PlotsPath);
        return run;
    }

    /// <summary>An existing run folder, e.g. for <c>reasoner report</c>; it must hold metrics.jsonl.</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"run directory not found: {path}");
        }
        var run = new RunDirectory(System.IO.Path.GetFullPath(path).TrimEnd(System.IO.Path.DirectorySeparatorChar));
        if (!File.Exists(run.MetricsJsonlPath))
        {
            throw new FileNotFoundException($"{path} is not a run directory: it has no metrics.jsonl", run.MetricsJsonlPath);
        }
        return run;
    }

    /// <summary>A run folder to continue (<c>reasoner run --resume</c>): it must hold the run's config.yaml.</summary>
    public static RunDirectory Existing(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"run directory not found: {path}");
        }
        var run = new RunDirectory(System.IO.Path.GetFullPath(path).TrimEnd(System.IO.Path.DirectorySeparatorChar));
        if (!File.Exists(run.ConfigPath))
        {
            throw new FileNotFoundException($"{path} is not a run directory: it has no config.yaml", run.ConfigPath);
        }
        Directory.CreateDirectory(run.CheckpointsPath);
        Directory.CreateDirectory(run.PlotsPath);
        return run;
    }

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
