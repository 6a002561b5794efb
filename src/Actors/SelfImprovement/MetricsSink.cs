using System.Diagnostics;
using Akka.Actor;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Writes every metric as it comes (metrics.jsonl/csv, outcomes.jsonl, each line flushed, so a run killed midway keeps
/// what it measured) and keeps the observer informed of the phase in progress. It also writes the run's journal
/// (<see cref="RunJournal"/>): as the one writer of those files it knows how many lines each holds when a stage completes.
/// </summary>
internal sealed class MetricsSink : ReceiveActor
{
    private readonly MetricsWriter _metrics;
    private readonly OutcomesWriter _outcomes;
    private readonly ValueRankingWriter? _value;
    private readonly ILoopObserver _observer;
    private readonly RunJournal.Writer _journal;
    private long _metricsRows, _outcomeRows, _episodeRows, _valueRows;
    private readonly Stopwatch _phaseClock = new();
    private PhaseStarted _phase = new("idle", 0, 0, 0);
    private int _done;
    private double _rewardSum;

    /// <param name="resumedFrom">The journal's last record when a run is resumed (its files were cut back to it).</param>
    public MetricsSink(MetricsWriter metrics, OutcomesWriter outcomes, ILoopObserver observer, RunJournal.Writer journal, StageRecord? resumedFrom = null,
        ValueRankingWriter? value = null)
    {
        _metrics = metrics;
        _outcomes = outcomes;
        _value = value;
        _observer = observer;
        _journal = journal;
        (_metricsRows, _outcomeRows, _episodeRows, _valueRows) = resumedFrom is { } last ? (last.MetricsRows, last.OutcomeRows, last.EpisodeRows, last.ValueRows) : (0, 0, 0, 0);
        Receive<MetricsRow>(row =>
        {
            _metrics.Append(row);
            _metricsRows++;
            if (row.Step is not null && _phase.Unit == "steps")
            {
                _done = Math.Min(_done + 1, _phase.Problems);
                _observer.Progress(new LoopProgress(_phase.Phase, _phase.Iteration, _phase.Iterations, _done, _phase.Problems, double.NaN,
                    _done / Math.Max(_phaseClock.Elapsed.TotalSeconds, 1e-9), "steps"));
            }
            if (row.Skipped == true)
                _observer.Note("{Stage} iteration {Iteration}, step {Step}: non-finite loss or gradient norm, step skipped (weights and optimiser state kept), learning rate halved to {Rate:G3}",
                    row.Stage, row.Iteration, row.Step!, row.LearningRate!);
            // Training shows on the console too, every hundredth optimiser step.
            else if (row.Step is { } step && step % 100 == 0)
                _observer.Note("{Stage} iteration {Iteration}, step {Step}: policy loss {PolicyLoss}, value loss {ValueLoss}",
                    row.Stage, row.Iteration, step, Loss(row.PolicyLoss), Loss(row.ValueLoss));
        });
        Receive<ProblemOutcome>(outcome =>
        {
            _outcomes.Append(outcome);
            _outcomeRows++;
        });
        Receive<ValueRankingRow>(row =>
        {
            if (_value is null) return;
            _value.Append(row);
            _valueRows++;
        });
        Receive<StageDone>(done =>
        {
            foreach (var line in done.Episodes)
            {
                _journal.Episode(line);
                _episodeRows++;
            }
            _journal.Stage(done.Record with { MetricsRows = _metricsRows, OutcomeRows = _outcomeRows, EpisodeRows = _episodeRows, ValueRows = _valueRows });
            Sender.Tell(new StageRecorded(), Self);
        });
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

    /// <summary>The episodes (or, with <paramref name="Unit"/> "steps", the training rows) that follow belong to this phase
    /// of <paramref name="Problems"/> of them (progress counts restart).</summary>
    public sealed record PhaseStarted(string Phase, int Iteration, int Iterations, int Problems, string Unit = "problems");

    /// <summary>A line for the log.</summary>
    public sealed record Note(string MessageTemplate, params object[] Values);

    /// <summary>A stage has completed: its episodes (self-play) go to episodes.jsonl, then its record to the journal with the
    /// files' lengths; replies <see cref="StageRecorded"/>.</summary>
    public sealed record StageDone(StageRecord Record, IReadOnlyList<EpisodeLine> Episodes);

    public sealed record StageRecorded;

    /// <summary>Replies <see cref="Flushed"/> once every message told before it is written.</summary>
    public sealed record Flush;

    public sealed record Flushed;

    protected override void PostStop()
    {
        _metrics.Dispose();
        _outcomes.Dispose();
        _value?.Dispose();
        _journal.Dispose();
    }

    // A stage without a value (or policy) loss says so, rather than printing NaN.
    private static string Loss(double? loss) => loss is { } value ? value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "none";
}
