using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reasoner.Actors.Cluster;
using Reasoner.Experiments.Runs;
using Reasoner.Experiments.SelfImprovement;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// One line of a run's journal (progress.jsonl), written by the metrics sink when a stage of the loop has completed:
/// which stage, what it decided, and how many lines metrics.jsonl, outcomes.jsonl, episodes.jsonl and value.jsonl held then. A
/// resumed run cuts every file back to those lengths (the rows of the stage that was interrupted go) and goes on from
/// the next stage.
/// </summary>
/// <param name="Stage">imitation, evaluation, search or improve (training and the arena).</param>
/// <param name="LearnerSteps">The learner's optimiser steps so far (imitation, improve).</param>
/// <param name="Accuracy">Evaluation: each method's accuracy.</param>
internal sealed record StageRecord(
    string Stage,
    int Iteration,
    long MetricsRows = 0,
    long OutcomeRows = 0,
    long EpisodeRows = 0,
    long ValueRows = 0,
    long? LearnerSteps = null,
    IReadOnlyDictionary<string, double>? Accuracy = null,
    SearchRecord? Search = null,
    ImproveRecord? Improve = null)
{
    public const string Imitation = "imitation", Evaluation = "evaluation", Searched = "search", Improved = "improve";
}

/// <summary>What a search stage measured, for the run's summary; its episodes are in episodes.jsonl.</summary>
internal sealed record SearchRecord(int FailedAttempts, int QueueRejected, double Seconds, long Requests, long ProposerCalls, long ValueCalls);

/// <summary>What a training stage (with its arena) decided: the checkpoint the loop goes on with (a file name in checkpoints/).</summary>
internal sealed record ImproveRecord(int TrainingSteps, bool Promoted, string Current, int? CurrentValidation);

/// <summary>One self-play episode of episodes.jsonl: job <paramref name="Index"/> of iteration <paramref name="Iteration"/>.</summary>
internal sealed record EpisodeLine(int Iteration, int Index, string? Node, EpisodeReport Episode);

/// <summary>What a resumed run finds done: the stages' records by iteration, and the self-play episodes.</summary>
/// <param name="Last">The last stage completed: the files were cut back to its counts.</param>
internal sealed record RunProgress(
    StageRecord? Last,
    StageRecord? Imitation,
    IReadOnlyDictionary<int, StageRecord> Evaluations,
    IReadOnlyDictionary<int, StageRecord> Searches,
    IReadOnlyDictionary<int, StageRecord> Improvements,
    IReadOnlyDictionary<int, IReadOnlyList<EpisodeLine>> Episodes)
{
    public static RunProgress Empty { get; } = new(null, null, new Dictionary<int, StageRecord>(), new Dictionary<int, StageRecord>(),
        new Dictionary<int, StageRecord>(), new Dictionary<int, IReadOnlyList<EpisodeLine>>());

    /// <summary>The learner's step count at the last completed training stage.</summary>
    public long LearnerSteps => Improvements.Values.Select(r => r.LearnerSteps).Append(Imitation?.LearnerSteps).Max() ?? 0;

    /// <summary>The stage the run goes on from, in words, for the log.</summary>
    public string Describe(int iterations)
    {
        if (Imitation is null) return "imitation";
        if (!Evaluations.ContainsKey(0)) return "the evaluation after imitation";
        for (int k = 1; k <= iterations; k++)
        {
            if (!Searches.ContainsKey(k)) return $"iteration {k}'s search";
            if (!Improvements.ContainsKey(k)) return $"iteration {k}'s training";
            if (!Evaluations.ContainsKey(k)) return $"iteration {k}'s evaluation";
        }
        return "the report (every stage was done)";
    }
}

/// <summary>Reads and rewinds a run's journal and the files it counts.</summary>
internal static class RunJournal
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // An unranked completion's score is NaN.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// The stages a run completed, with every counted file cut back to its length after the last of them: the rows of an
    /// interrupted stage (and a line torn by the kill) are removed, so the resumed stage writes them once.
    /// </summary>
    public static RunProgress Rewind(RunDirectory run)
    {
        var records = ReadRecords(run.ProgressPath);
        var last = records.Count > 0 ? records[^1] : new StageRecord("nothing yet", 0);
        CutToLines(run.ProgressPath, records.Count);
        CutToLines(run.MetricsJsonlPath, last.MetricsRows);
        // The header, then one line per row; a run killed before the writer opened has no csv yet.
        if (File.Exists(run.MetricsCsvPath) && new FileInfo(run.MetricsCsvPath).Length > 0) CutToLines(run.MetricsCsvPath, last.MetricsRows + 1);
        CutToLines(run.OutcomesPath, last.OutcomeRows);
        CutToLines(run.EpisodesPath, last.EpisodeRows);
        CutToLines(run.ValuePath, last.ValueRows);

        var episodes = File.Exists(run.EpisodesPath)
            ? File.ReadLines(run.EpisodesPath).Select((line, i) => Parse<EpisodeLine>(line, run.EpisodesPath, i + 1))
                .GroupBy(e => e.Iteration).ToDictionary(g => g.Key, g => (IReadOnlyList<EpisodeLine>)[.. g.OrderBy(e => e.Index)])
            : [];
        Dictionary<int, StageRecord> Of(string stage) => records.Where(r => r.Stage == stage).ToDictionary(r => r.Iteration);
        return new RunProgress(records.Count > 0 ? records[^1] : null, records.FirstOrDefault(r => r.Stage == StageRecord.Imitation), Of(StageRecord.Evaluation),
            Of(StageRecord.Searched), Of(StageRecord.Improved), episodes);
    }

    private static List<StageRecord> ReadRecords(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllText(path).Split('\n');
        var records = new List<StageRecord>();
        // The last element is what follows the last newline: empty, or a line the kill tore (not a completed stage).
        for (int i = 0; i < lines.Length - 1; i++) records.Add(Parse<StageRecord>(lines[i], path, i + 1));
        return records;
    }

    private static T Parse<T>(string line, string path, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(line, Json) ?? throw new InvalidDataException($"{path}, line {number}: null");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}, line {number}: {error.Message}", error);
        }
    }

    /// <summary>Keeps the first <paramref name="lines"/> complete lines of a file (a missing file counts as empty).</summary>
    private static void CutToLines(string path, long lines)
    {
        if (!File.Exists(path))
        {
            if (lines > 0) throw new InvalidDataException($"{path} is missing, yet the run's journal counts {lines} lines in it");
            return;
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        long seen = 0, position = 0;
        var buffer = new byte[1 << 16];
        while (seen < lines)
        {
            int read = file.Read(buffer);
            if (read == 0) throw new InvalidDataException($"{path} has {seen} complete lines; the run's journal counts {lines}");
            for (int i = 0; i < read && seen < lines; i++)
                if (buffer[i] == (byte)'\n')
                {
                    seen++;
                    position = file.Position - read + i + 1;
                }
        }
        file.SetLength(lines == 0 ? 0 : position);
    }

    /// <summary>Appends the journal's lines; owned by the metrics sink, which counts the files' lines as it writes them.</summary>
    public sealed class Writer(RunDirectory run) : IDisposable
    {
        private readonly StreamWriter _progress = Open(run.ProgressPath), _episodes = Open(run.EpisodesPath);

        public void Episode(EpisodeLine line) => _episodes.WriteLine(JsonSerializer.Serialize(line, Json));

        public void Stage(StageRecord record) => _progress.WriteLine(JsonSerializer.Serialize(record, Json));

        public void Dispose()
        {
            _progress.Dispose();
            _episodes.Dispose();
        }

        private static StreamWriter Open(string path) =>
            new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
    }
}
