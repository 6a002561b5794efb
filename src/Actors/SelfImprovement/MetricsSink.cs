using System.Diagnostics;
using Reasoner.Actors.Runtime;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Writes every metric as it comes (metrics.jsonl/csv, outcomes.jsonl, each line flushed, so a run killed midway keeps
/// what it measured) and keeps the observer informed of the phase in progress.
/// </summary>
internal sealed class MetricsSink : ReceiveActor
{
    private readonly MetricsWriter _metrics;
    private readonly OutcomesWriter _outcomes;
    private readonly ValueRankingWriter? _value;
    private readonly ILoopObserver _observer;
    private readonly Stopwatch _phaseClock = new();
    private PhaseStarted _phase = new("idle", 0, 0, 0);
    private int _done;
    private double _rewardSum;

    public MetricsSink(MetricsWriter metrics, OutcomesWriter outcomes, ILoopObserver observer, ValueRankingWriter? value = null)
    {
        _metrics = metrics;
        _outcomes = outcomes;
        _value = value;
        _observer = observer;
        Receive<MetricsRow>(row =>
        {
            _metrics.Append(row);
            // Training shows on the console too, every hundredth optimiser step.
            if (row.Step is { } step && step % 100 == 0)
                _observer.Note("{Stage} iteration {Iteration}, step {Step}: policy loss {PolicyLoss}, value loss {ValueLoss}",
                    row.Stage, row.Iteration, step, Loss(row.PolicyLoss), Loss(row.ValueLoss));
        });
        Receive<ProblemOutcome>(_outcomes.Append);
        Receive<ValueRankingRow>(row => _value?.Append(row));
        Receive<PhaseStarted>(phase =>
        {
            _phase = phase;
            _done = 0;
            _rewardSum = 0;
            _phaseClock.Restart();
        });
        Receive<EpisodeSearched>(searched =>
        {
            _done++;
            _rewardSum += searched.Episode.Chosen.Reward;
            double seconds = Math.Max(_phaseClock.Elapsed.TotalSeconds, 1e-9);
            _observer.Progress(new LoopProgress(_phase.Phase, _phase.Iteration, _phase.Iterations, _done, _phase.Problems, _rewardSum / _done, _done / seconds));
        });
        Receive<Note>(note => _observer.Note(note.MessageTemplate, note.Values));
        Receive<Flush>(_ => Sender.Tell(new Flushed(), Self));
    }

    /// <summary>The episodes that follow belong to this phase (progress counts restart).</summary>
    public sealed record PhaseStarted(string Phase, int Iteration, int Iterations, int Problems);

    /// <summary>A line for the log.</summary>
    public sealed record Note(string MessageTemplate, params object[] Values);

    /// <summary>Replies <see cref="Flushed"/> once every message told before it is written.</summary>
    public sealed record Flush;

    public sealed record Flushed;

    protected override void PostStop()
    {
        _metrics.Dispose();
        _outcomes.Dispose();
        _value?.Dispose();
    }

    // A stage without a value (or policy) loss says so, rather than printing NaN.
    private static string Loss(double? loss) => loss is { } value ? value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "none";
}
