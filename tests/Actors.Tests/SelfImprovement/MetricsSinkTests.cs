using Reasoner.Actors.Runtime;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Metrics;
using Reasoner.Policy;

namespace Reasoner.Actors.Tests.SelfImprovement;

public sealed class MetricsSinkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-sink-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_skipped_training_step_is_written_and_told_to_the_person_watching()
    {
        var observer = new RecordingObserver();
        await using var system = ActorSystem.Create("sink");
        var writer = new MetricsWriter(Path.Combine(_folder, "metrics.jsonl"), Path.Combine(_folder, "metrics.csv"));
        var sink = system.ActorOf(Props.Create(() => new MetricsSink(writer, new OutcomesWriter(Path.Combine(_folder, "outcomes.jsonl")), observer)), "metrics");
        var good = new TrainingStep(41, new TrainingLosses(1f, 1f, 1f, null), 0.5f, 1e-3f);
        sink.Tell(MetricsRow.Training(1, Stage.SelfImprovement, 41, good));
        sink.Tell(MetricsRow.Training(1, Stage.SelfImprovement, 42, good with { Losses = new TrainingLosses(float.NaN, float.NaN, float.NaN, null), Skipped = true }));
        await sink.Ask<MetricsSink.Flushed>(new MetricsSink.Flush(), Guard.Timeout);

        Assert.Contains("learning rate halved", Assert.Single(observer.Notes));
        Assert.Equal([null, true], MetricsReader.Read(Path.Combine(_folder, "metrics.jsonl")).Select(r => r.Skipped));
    }
}
