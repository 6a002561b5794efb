using Akka.Actor;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;
using Reasoner.Policy;

namespace Reasoner.Actors.Tests.SelfImprovement;

public sealed class MetricsSinkTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-sink-").FullName;

    public MetricsSinkTests() : base(AkkaConfig.Embedded())
    {
    }

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_skipped_training_step_is_written_and_told_to_the_person_watching()
    {
        var observer = new RecordingObserver();
        var run = RunDirectory.Create(_folder, "sink", TimeProvider.System);
        var journal = new RunJournal.Writer(run);
        var sink = Sys.ActorOf(Props.Create(() => new MetricsSink(MetricsWriter.ForRun(run), OutcomesWriter.ForRun(run), observer, journal, null)));
        var good = new TrainingStep(41, new TrainingLosses(1f, 1f, 1f, null), 0.5f, 1e-3f);
        sink.Tell(MetricsRow.Training(1, Stage.SelfImprovement, 41, good));
        sink.Tell(MetricsRow.Training(1, Stage.SelfImprovement, 42, good with { Losses = new TrainingLosses(float.NaN, float.NaN, float.NaN, null), Skipped = true }));
        sink.Tell(new MetricsSink.Flush());
        ExpectMsg<MetricsSink.Flushed>();

        Assert.Contains("learning rate halved", Assert.Single(observer.Notes));
        Assert.Equal([null, true], MetricsReader.Read(run.MetricsJsonlPath).Select(r => r.Skipped));
    }
}
