namespace Reasoner.Experiments.Training;

/// <summary>
/// Optimisation settings of <see cref="ExampleTrainer"/>. The rate warms up linearly over WarmupSteps, then follows a
/// cosine from LearningRate down to MinLearningRate at DecaySteps (0: constant after warm-up; the CLI sets it to the
/// run's step count). Weight decay applies to matrices and embeddings only (nanoGPT).
/// The loss is PolicyLossWeight * policy loss + ValueLossWeight * value loss; examples with reference log-probabilities
/// add KlBeta * k3 KL towards the reference to the policy loss (GRPO). Each value target y weighs
/// 1 + (PositiveValueWeight - 1) y in the value loss's weighted mean: above 1 it balances rare positives (the oracle calls
/// few of a weak policy's states solvable, and a value that predicts the base rate everywhere is then a deep basin).
/// A step whose loss or gradient norm is not finite is skipped and halves the rate; MaxNonFiniteSteps such steps in a row
/// stop training (<see cref="ExampleTrainer.Step"/>).
/// </summary>
public sealed record ExampleTrainerConfig(
    int BatchSize = 32,
    float LearningRate = 1e-3f,
    float MinLearningRate = 1e-4f,
    int WarmupSteps = 20,
    int DecaySteps = 0,
    float WeightDecay = 0.1f,
    float MaxGradNorm = 1f,
    float PolicyLossWeight = 1f,
    float ValueLossWeight = 1f,
    float KlBeta = 0f,
    float PositiveValueWeight = 1f,
    int MaxNonFiniteSteps = ExampleTrainerConfig.DefaultMaxNonFiniteSteps)
{
    /// <summary>Five halvings leave 1/32 of the rate: a run still diverging there has a cause the rate does not reach.</summary>
    public const int DefaultMaxNonFiniteSteps = 5;

    public ExampleTrainerConfig Validated()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || MinLearningRate < 0 || MinLearningRate > LearningRate)
            throw new ArgumentException($"need 0 <= min lr <= lr and lr > 0, got lr {LearningRate}, min lr {MinLearningRate}");
        if (WarmupSteps < 0 || DecaySteps < 0) throw new ArgumentException($"warm-up and decay steps must be >= 0, got {WarmupSteps} and {DecaySteps}");
        if (WeightDecay < 0 || !(MaxGradNorm > 0)) throw new ArgumentException($"need weight decay >= 0 and clip > 0, got {WeightDecay} and {MaxGradNorm}");
        if (!(KlBeta >= 0)) throw new ArgumentException($"the KL coefficient must be >= 0, got {KlBeta}");
        if (!(PositiveValueWeight > 0 && float.IsFinite(PositiveValueWeight))) throw new ArgumentException($"the positive value weight must be > 0, got {PositiveValueWeight}");
        if (MaxNonFiniteSteps < 1) throw new ArgumentException($"the most non-finite steps in a row must be at least 1, got {MaxNonFiniteSteps}");
        if (PolicyLossWeight < 0 || ValueLossWeight < 0)
            throw new ArgumentException($"loss weights must be >= 0, got policy {PolicyLossWeight} and value {ValueLossWeight}");
        return this;
    }
}
