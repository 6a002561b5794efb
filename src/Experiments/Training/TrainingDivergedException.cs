using System.Globalization;
using Reasoner.Policy;

namespace Reasoner.Experiments.Training;

/// <summary>
/// Training stopped because <see cref="InARow"/> steps in a row had a non-finite loss or gradient norm, although each
/// halved the learning rate: not a bug of the program but of the run's settings or data, reported in one line.
/// </summary>
public sealed class TrainingDivergedException(TrainingStep last, int inARow) : Exception(string.Create(CultureInfo.InvariantCulture,
    $"training stopped: {inARow} steps in a row had a non-finite loss or gradient norm (the last, step {last.Step}: loss {last.Losses.Total}, " +
    $"gradient norm {last.GradNorm}; the learning rate was halved after each, to {last.LearningRate:G3}); lower the learning rate or look for a broken example"))
{
    public TrainingStep Last { get; } = last;

    public int InARow { get; } = inARow;
}
