using Reasoner.Experiments.Statistics;
using Reasoner.Policy;

namespace Reasoner.Experiments.Metrics;

/// <summary>What a metrics row is about: training in either stage, an evaluation, or <see cref="Timing"/>, the wall time
/// of one phase of the run (<see cref="MetricsRow.Timed"/>), for the summary's "where the time went".</summary>
public enum Stage { Imitation, SelfImprovement, Evaluation, Timing }

/// <summary>The phases of a run whose wall time the metrics record (<see cref="Stage.Timing"/> rows), in the order they run.</summary>
public static class RunPhase
{
    public const string Problems = "problem generation";
    public const string Demonstrations = "expert demonstrations";
    public const string Imitation = "imitation training";
    public const string ValueData = "value data";
    public const string ValueTraining = "value training";
    public const string Search = "self-play search";
    public const string TrainingData = "training data";
    public const string Learner = "learner";
    public const string Arena = "arena";
    public const string Evaluation = "evaluation";

    /// <summary>Times <paramref name="work"/> and logs its wall time as phase <paramref name="phase"/> of iteration <paramref name="iteration"/>.</summary>
    public static T Timed<T>(int iteration, string phase, Action<MetricsRow> log, Func<T> work)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = work();
        log(MetricsRow.Timed(iteration, phase, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds));
        return result;
    }
}

/// <summary>
/// One line of metrics.jsonl / metrics.csv: a training step (imitation or self-improvement) or one method's evaluation.
/// Fields that do not apply to the row are null (an empty CSV cell). Compute counters are totals for the row: for an
/// evaluation, over all <see cref="N"/> problems, so per-problem compute is the counter divided by N.
/// </summary>
/// <param name="Iteration">0 for imitation and the evaluation after it; k for self-improvement iteration k.</param>
/// <param name="Method">The evaluated method (system1, mcts, ...); for training rows, the search that made the data, if any.</param>
/// <param name="Step">Optimiser step counted across the whole run, so loss curves of both stages join into one line.</param>
/// <param name="Accuracy">Fraction of the N problems solved (top-1).</param>
/// <param name="MeanReward">Mean reward of the row's trajectories (training batch or evaluated problems).</param>
/// <param name="LearningRate">A training step's learning rate (after a skipped step: the halved rate from then on).</param>
/// <param name="Skipped">True for a training step the NaN/inf guard skipped: its loss or gradient norm was not finite (the
/// row leaves such losses out), nothing was updated and the learning rate was halved.</param>
public sealed record MetricsRow(
    int Iteration,
    Stage Stage,
    string? Method = null,
    long? Step = null,
    double? Accuracy = null,
    double? CiLow = null,
    double? CiHigh = null,
    int? N = null,
    double? MeanReward = null,
    double? ValueLoss = null,
    double? PolicyLoss = null,
    long? GeneratedTokens = null,
    long? PolicyTokens = null,
    long? ValueCalls = null,
    double? WallSeconds = null,
    double? LearningRate = null,
    bool? Skipped = null)
{
    /// <summary>The row of one optimiser step (<paramref name="step"/> counted across the run); non-finite losses are left out.</summary>
    public static MetricsRow Training(int iteration, Stage stage, long step, TrainingStep trained)
    {
        static double? Finite(float? loss) => loss is { } value && float.IsFinite(value) ? value : null;
        return new MetricsRow(iteration, stage, Step: step, PolicyLoss: Finite(trained.Losses.TokenLoss), ValueLoss: Finite(trained.Losses.ValueLoss),
            LearningRate: trained.LearningRate, Skipped: trained.Skipped ? true : null);
    }

    /// <summary>The wall time of phase <paramref name="phase"/> (<see cref="RunPhase"/>) of iteration <paramref name="iteration"/>.</summary>
    public static MetricsRow Timed(int iteration, string phase, double seconds) => new(iteration, Stage.Timing, phase, WallSeconds: seconds);

    /// <summary>An evaluation row for <paramref name="correct"/> of <paramref name="n"/> problems, with its Wilson 95% interval.</summary>
    public static MetricsRow Evaluation(int iteration, string method, int correct, int n, double? meanReward = null,
        long? generatedTokens = null, long? policyTokens = null, long? valueCalls = null, double? wallSeconds = null)
    {
        var interval = Proportions.Wilson(correct, n);
        return new MetricsRow(iteration, Stage.Evaluation, method, null, interval.Estimate, interval.Low, interval.High, n,
            meanReward, null, null, generatedTokens, policyTokens, valueCalls, wallSeconds);
    }
}
