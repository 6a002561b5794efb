using Akka.Actor;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Trains the policy and value model and writes a checkpoint: stage 1 on demonstrations, then once per iteration on the
/// replay buffer's episodes. Every optimiser step's metrics go to the sink as they come; steps count across the run.
/// Training is long CPU work done inline, so the learner lives on a pinned dispatcher: a thread of its own, and the actors
/// around it keep moving (progress, metrics). Training runs one at a time, in order, as the loop asks.
/// </summary>
internal sealed class Learner : ReceiveActor
{
    private readonly IExperimentBackend _backend;
    private readonly IActorRef _metrics;
    private long _steps;

    public Learner(IExperimentBackend backend, IActorRef metrics)
    {
        _backend = backend;
        _metrics = metrics;
        Receive<Imitate>(imitate => Train(imitate.CheckpointOut, () => _backend.Imitate(imitate.Problems, imitate.CheckpointOut, _steps, Log)));
        Receive<Improve>(improve => Train(improve.CheckpointOut,
            () => _backend.Improve(improve.Iteration, improve.Episodes, improve.CheckpointIn, improve.CheckpointOut, _steps, Log)));
        Receive<Resume>(resume => Reply.With(Sender, Self, () =>
        {
            _backend.RestoreImitation(resume.Problems, resume.ImitationCheckpoint);
            _steps = resume.Steps;
            return new Resumed(resume.Steps);
        }));
    }

    /// <summary>A resumed run: imitation was done on <paramref name="Problems"/> into <paramref name="ImitationCheckpoint"/>,
    /// and <paramref name="Steps"/> optimiser steps were taken; replies <see cref="Resumed"/>.</summary>
    public sealed record Resume(IReadOnlyList<Problem> Problems, string ImitationCheckpoint, long Steps);

    public sealed record Resumed(long Steps);

    /// <summary>Stage 1 from a fresh model on the expert's solutions of <paramref name="Problems"/>; replies <see cref="Trained"/>.</summary>
    public sealed record Imitate(IReadOnlyList<Problem> Problems, string CheckpointOut);

    /// <summary>Iteration <paramref name="Iteration"/> from <paramref name="CheckpointIn"/>; replies <see cref="Trained"/>.</summary>
    public sealed record Improve(int Iteration, IReadOnlyList<Episode> Episodes, string CheckpointIn, string CheckpointOut);

    /// <summary><paramref name="TotalSteps"/>: the learner's optimiser steps so far, this training's included.</summary>
    public sealed record Trained(string Checkpoint, TrainingReport Report, long TotalSteps);

    private void Log(MetricsRow row) => _metrics.Tell(row);

    private void Train(string checkpoint, Func<TrainingReport> train) => Reply.With(Sender, Self, () =>
    {
        var report = train();
        _steps += report.Steps;
        return new Trained(checkpoint, report, _steps);
    });
}
