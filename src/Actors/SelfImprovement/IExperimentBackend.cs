using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>What a training run reports: optimiser steps taken and the last losses.</summary>
internal sealed record TrainingReport(int Steps, double? PolicyLoss, double? ValueLoss);

/// <summary>
/// The model side of the loop, behind which the actors only orchestrate: load a checkpoint for inference, train stage 1
/// from scratch on the expert's solutions of the given problems, train one self-improvement iteration from episodes. Checkpoints are paths;
/// each method reads and writes files, never weights another actor holds. <c>log</c> takes one metrics row per
/// optimiser step (<see cref="MetricsRow.Step"/> counted from <c>firstStep</c>).
/// </summary>
internal interface IExperimentBackend
{
    InferenceBackend LoadInference(string checkpoint);

    TrainingReport Imitate(IReadOnlyList<Problem> problems, string checkpointOut, long firstStep, Action<MetricsRow> log);

    TrainingReport Improve(int iteration, IReadOnlyList<Episode> episodes, string checkpointIn, string checkpointOut, long firstStep, Action<MetricsRow> log);

    /// <summary>A resumed run skips imitation: keep what <see cref="Imitate"/> leaves behind for the iterations (its
    /// problems' demonstrations, its checkpoint) without training.</summary>
    void RestoreImitation(IReadOnlyList<Problem> problems, string checkpoint);
}
