using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;
using Reasoner.Tensors.Optim;

namespace Reasoner.Policy;

/// <summary>
/// Optimisation settings. The schedule is warm-up plus cosine (see <see cref="CosineSchedule"/>; DecaySteps 0 keeps the
/// rate constant). DecayAllParameters applies weight decay to every tensor as torch_ref.py's benchmark does; by default
/// only matrices and embeddings decay (nanoGPT). TokenLossWeight and ValueLossWeight scale the two losses in the total.
/// </summary>
public sealed record TrainerConfig(
    float MaxLearningRate = 1e-3f,
    float MinLearningRate = 1e-4f,
    int WarmupSteps = 0,
    int DecaySteps = 0,
    float WeightDecay = 0.1f,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-8f,
    float MaxGradNorm = 1f,
    float ValueLossWeight = 1f,
    bool DecayAllParameters = false,
    float TokenLossWeight = 1f);

/// <summary>The losses of one forward. TokenLoss is what the objective optimises; MeanCrossEntropy is always the
/// weighted mean CE (for monitoring a policy-gradient run); ValueLoss is null without value weights.</summary>
public readonly record struct TrainingLosses(float Total, float TokenLoss, float MeanCrossEntropy, float? ValueLoss);

/// <summary>The outcome of one optimisation step. Skipped: the step's loss or gradient norm was not finite, so nothing
/// was updated (Step is the step it would have been, LearningRate the rate from now on).</summary>
public readonly record struct TrainingStep(int Step, TrainingLosses Losses, float GradNorm, float LearningRate, bool Skipped = false);

/// <summary>
/// Trains a <see cref="Gpt"/>: activations, their gradients, parameter gradients and the AdamW moments, all preallocated
/// for a maximum (B,T), so a step allocates nothing once warm. Use <see cref="Step"/>, or the parts
/// (<see cref="ZeroGradients"/>, <see cref="Forward"/>, <see cref="Backward"/>, <see cref="ClipAndUpdate"/>) to accumulate gradients.
/// </summary>
public sealed class GptTrainer
{
    private readonly WorkerPool _pool;
    private readonly GptActivations _acts, _grads;
    private readonly float[] _m, _v;
    private readonly AdamWConfig _adam;
    private readonly CosineSchedule _schedule;
    private TrainingBatch? _forwarded;

    public GptTrainer(Gpt model, WorkerPool pool, int maxBatch, int maxTime, TrainerConfig? config = null)
    {
        Model = model;
        _pool = pool;
        Config = config ?? new TrainerConfig();
        _acts = new GptActivations(model.Config, maxBatch, maxTime);
        _grads = new GptActivations(model.Config, maxBatch, maxTime);
        Gradients = new float[model.Parameters.Length];
        _m = new float[model.Parameters.Length];
        _v = new float[model.Parameters.Length];
        _adam = new AdamWConfig(Config.Beta1, Config.Beta2, Config.Epsilon, Config.WeightDecay);
        _schedule = new CosineSchedule(Config.MaxLearningRate, Config.MinLearningRate, Config.WarmupSteps, Config.DecaySteps);
    }

    public Gpt Model { get; }
    public TrainerConfig Config { get; }
    /// <summary>Parameter gradients, laid out like <see cref="Gpt.Parameters"/>.</summary>
    public float[] Gradients { get; }
    /// <summary>Optimiser steps taken so far.</summary>
    public int StepsTaken { get; private set; }
    /// <summary>Multiplies the schedule's rate; a caller that skips a diverging step lowers it (ExampleTrainer halves it).</summary>
    public float LearningRateScale { get; set; } = 1f;
    /// <summary>The rate of the next update: the schedule's at <see cref="StepsTaken"/>, times <see cref="LearningRateScale"/>.</summary>
    public float LearningRate => _schedule.At(StepsTaken) * LearningRateScale;

    public TrainingBatch CreateBatch() => new(_acts.MaxBatch, _acts.MaxTime);

    /// <summary>Zero gradients, forward, backward, clip, AdamW at the scheduled rate (skipped on a non-finite gradient norm).</summary>
    public TrainingStep Step(TrainingBatch batch)
    {
        ZeroGradients();
        var losses = Forward(batch);
        Backward();
        var (norm, rate) = ClipAndUpdate();
        return float.IsFinite(norm) ? new TrainingStep(StepsTaken, losses, norm, rate) : new TrainingStep(StepsTaken + 1, losses, norm, rate, Skipped: true);
    }

    public void ZeroGradients() => Gradients.AsSpan().Clear();

    /// <summary>The model's forward and the losses of the batch; keeps what <see cref="Backward"/> needs.</summary>
    public TrainingLosses Forward(TrainingBatch batch)
    {
        int b = batch.Batch, t = batch.Time, n = b * t;
        Model.Forward(_pool, _acts, batch.Tokens, b, t);
        CrossEntropy.Forward(_pool, _acts.TokenLosses, _acts.LogSumExp, _acts.Logits, batch.Targets, n, Model.Config.Vocab);
        float meanCe, tokenLoss;
        if (batch.Objective == TokenObjective.SignedWeightedMean)
        {
            tokenLoss = batch.KlWeights.ContainsAnyExcept(0f)
                ? CrossEntropy.SignedMeanWithKl(_acts.TokenLosses, batch.LossWeights, batch.KlWeights, batch.ReferenceLogProbs, _acts.TokenCoefficients, out meanCe)
                : CrossEntropy.SignedMean(_acts.TokenLosses, batch.LossWeights, _acts.TokenCoefficients, out meanCe);
        }
        else
        {
            meanCe = CrossEntropy.WeightedMean(_acts.TokenLosses, batch.LossWeights, _acts.TokenCoefficients);
            tokenLoss = batch.Objective == TokenObjective.MeanCrossEntropy
                ? meanCe
                : CrossEntropy.SequenceWeighted(_acts.TokenLosses, batch.SequenceWeights, batch.LossWeights, _acts.TokenCoefficients, b, t);
        }
        if (Config.TokenLossWeight != 1f)
            System.Numerics.Tensors.TensorPrimitives.Multiply(_acts.TokenCoefficients, Config.TokenLossWeight, _acts.TokenCoefficients);
        float? valueLoss = null;
        if (batch.ValueWeights.ContainsAnyExcept(0f))
        {
            ValueLoss.Forward(batch.ValueLoss, _acts.ValueLosses, _acts.ValueLogits, batch.ValueTargets);
            valueLoss = CrossEntropy.WeightedMean(_acts.ValueLosses, batch.ValueWeights, _acts.ValueCoefficients);
            System.Numerics.Tensors.TensorPrimitives.Multiply(_acts.ValueCoefficients, Config.ValueLossWeight, _acts.ValueCoefficients);
        }
        else _acts.ValueCoefficients.Clear();
        _forwarded = batch;
        return new TrainingLosses(Config.TokenLossWeight * tokenLoss + Config.ValueLossWeight * (valueLoss ?? 0f), tokenLoss, meanCe, valueLoss);
    }

    /// <summary>Adds the gradients of the last forward's total loss into <see cref="Gradients"/>.</summary>
    public void Backward()
    {
        var batch = _forwarded ?? throw new InvalidOperationException("Backward needs a Forward first");
        int n = batch.Batch * batch.Time;
        _grads.Bind(batch.Batch, batch.Time);
        _grads.Clear();
        CrossEntropy.Backward(_pool, _grads.Logits, _acts.TokenCoefficients, _acts.Logits, _acts.LogSumExp, batch.Targets, n, Model.Config.Vocab);
        ValueLoss.Backward(batch.ValueLoss, _grads.ValueLogits, _acts.ValueCoefficients, _acts.ValueLogits, batch.ValueTargets);
        Model.Backward(_pool, _acts, _grads, Gradients, batch.Tokens);
    }

    /// <summary>
    /// Clips the global gradient norm to MaxGradNorm, then one AdamW step at <see cref="LearningRate"/>; returns the
    /// pre-clip norm and the rate. A non-finite norm (a NaN or inf gradient somewhere) updates nothing: AdamW would write
    /// it into every weight and both moments, so the weights, moments and step count stay the last good step's.
    /// </summary>
    public (float GradNorm, float LearningRate) ClipAndUpdate()
    {
        float norm = GradientClipping.ClipGlobalNorm(Gradients, Config.MaxGradNorm);
        float rate = LearningRate;
        if (!float.IsFinite(norm)) return (norm, rate);
        StepsTaken++;
        var tensors = Model.Layout.Tensors;
        for (int i = 0; i < tensors.Count; i++) // indexed: a foreach over the interface would allocate an enumerator
        {
            var view = tensors[i];
            AdamW.Step(_pool, view.Of(Model.Parameters), view.Of(Gradients), view.Of(_m), view.Of(_v), StepsTaken, rate, _adam,
                Config.DecayAllParameters || view.Decays ? Config.WeightDecay : 0f);
        }
        Model.ParametersChanged();
        return (norm, rate);
    }
}
