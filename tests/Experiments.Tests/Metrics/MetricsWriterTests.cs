using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Tests.Metrics;

public class MetricsWriterTests
{
    private readonly MetricsRow[] Rows =
    [
        new(0, Stage.Imitation, Step: 1, PolicyLoss: 2.5, WallSeconds: 0.25),
        new(1, Stage.SelfImprovement, "mcts", 2, MeanReward: 0.375, ValueLoss: 0.1, PolicyLoss: 1.9, GeneratedTokens: 1234, PolicyTokens: 5678, ValueCalls: 90),
        MetricsRow.Evaluation(1, "system1", 41, 100, generatedTokens: 3000, wallSeconds: 1.5),
    ];

    [Fact]
    public void JsonlRoundTripsEveryRow()
    {
        using var temp = new TempFolder();
        string jsonl = Path.Combine(temp.Path, "metrics.jsonl"), csv = Path.Combine(temp.Path, "metrics.csv");
        using (var writer = new MetricsWriter(jsonl, csv))
        {
            foreach (var row in Rows)
            {
                writer.Append(row);
            }
        }
        Assert.Equal(Rows, MetricsReader.Read(jsonl));
        Assert.Contains("\"stage\":\"self-improvement\"", File.ReadAllText(jsonl));
    }

    [Fact]
    public void EachRowIsOnDiskBeforeTheWriterCloses()
    {
        using var temp = new TempFolder();
        string jsonl = Path.Combine(temp.Path, "m.jsonl"), csv = Path.Combine(temp.Path, "m.csv");
        using var writer = new MetricsWriter(jsonl, csv);
        writer.Append(Rows[0]);
        using var reader = new StreamReader(new FileStream(jsonl, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        Assert.Equal(Rows[0], Assert.Single(reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<MetricsRow>(l, JsonLines.Options))));
    }

    [Fact]
    public void CsvHasAHeaderOnceAndEmptyCellsForNulls()
    {
        using var temp = new TempFolder();
        string jsonl = Path.Combine(temp.Path, "m.jsonl"), csv = Path.Combine(temp.Path, "m.csv");
        using (var writer = new MetricsWriter(jsonl, csv))
        {
            writer.Append(Rows[0]);
        }
        using (var writer = new MetricsWriter(jsonl, csv))
        {
            writer.Append(Rows[2]);
        }
        var lines = File.ReadAllLines(csv);
        Assert.Equal("iteration,stage,method,step,accuracy,ci_low,ci_high,n,mean_reward,value_loss,policy_loss,generated_tokens,policy_tokens,value_calls,wall_seconds,learning_rate,skipped", lines[0]);
        Assert.Equal("0,imitation,,1,,,,,,,2.5,,,,0.25,,", lines[1]);
        Assert.StartsWith("1,evaluation,system1,,0.41,0.3", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void EvaluationRowCarriesTheWilsonInterval()
    {
        var row = MetricsRow.Evaluation(2, "mcts", 81, 263);
        Assert.Equal(0.2552885198782742, row.CiLow!.Value, 10);
        Assert.Equal(0.36620957698280004, row.CiHigh!.Value, 10);
        Assert.Equal(263, row.N);
    }

    [Fact]
    public void MalformedLineNamesFileAndLine()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "metrics.jsonl");
        File.WriteAllLines(path, ["{\"iteration\":0,\"stage\":\"imitation\"}", "", "{\"iteration\":1,\"stage\":\"training\"}"]);
        var error = Assert.Throws<InvalidDataException>(() => MetricsReader.Read(path));
        Assert.StartsWith($"{path}, line 3:", error.Message);
    }

    [Fact]
    public void TruncatedLastLineIsReported()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "metrics.jsonl");
        File.WriteAllText(path, "{\"iteration\":0,\"stage\":\"imitation\"}\n{\"iteration\":1,\"sta");
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => MetricsReader.Read(path)).Message);
    }

    [Fact]
    public void OutcomesRoundTripAndAreOptional()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "outcomes.jsonl");
        Assert.Empty(MetricsReader.ReadOutcomes(path));
        ProblemOutcome[] outcomes = [new(0, "system1", "p1", true), new(0, "mcts", "p1", false)];
        using (var writer = new OutcomesWriter(path))
        {
            foreach (var outcome in outcomes)
            {
                writer.Append(outcome);
            }
        }
        Assert.Equal(outcomes, MetricsReader.ReadOutcomes(path));
    }

    [Fact]
    public void OutcomesKeepTheirSeedComputeAndSamples()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "outcomes.jsonl");
        var samples = SampledAnswers.Of([("24", true, 0.75), (null, false, double.NaN), ("23", false, 0.5)]);
        using (var writer = new OutcomesWriter(path))
        {
            writer.Append(new ProblemOutcome(2, "sampling", "p1", true, Seed: 7, GeneratedTokens: 300, ValueCalls: 2, Samples: samples));
        }
        Assert.Contains("\"samples\":{\"answers\":[0,-1,1],\"correct\":[true,false,false],\"values\":[0.75,null,0.5]}", File.ReadAllText(path));
        var read = Assert.Single(MetricsReader.ReadOutcomes(path));
        Assert.Equal((2, "sampling", "p1", true, 7, 300L, 2L), (read.Iteration, read.Method, read.ProblemId, read.Correct, read.Seed!.Value, read.GeneratedTokens!.Value, read.ValueCalls!.Value));
        Assert.Equal(samples.Answers, read.Samples!.Answers);
        Assert.Equal(samples.Correct, read.Samples.Correct);
        Assert.Equal(samples.Values, read.Samples.Values);
    }

    [Fact]
    public void OlderOutcomesNamedTheirSeedInTheProblemId()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "outcomes.jsonl");
        File.WriteAllLines(path, [
            """{"iteration":1,"method":"mcts","problem_id":"3 4 6 8 -> 24#seed2","correct":true}""",
            """{"iteration":1,"method":"mcts","problem_id":"p#seedless","correct":false}""",
        ]);
        var outcomes = MetricsReader.ReadOutcomes(path);
        Assert.Equal([("3 4 6 8 -> 24", (int?)2), ("p#seedless", null)], outcomes.Select(o => (o.ProblemId, o.Seed)));
    }

    [Fact]
    public void SamplesThatDisagreeInLengthNameTheFile()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "outcomes.jsonl");
        File.WriteAllText(path, """{"iteration":0,"method":"sampling","problem_id":"p","correct":true,"samples":{"answers":[0,0],"correct":[true],"values":[null,null]}}""" + "\n");
        var error = Assert.Throws<InvalidDataException>(() => MetricsReader.ReadOutcomes(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("2 answers, 1 verdicts", error.Message);
    }
}
