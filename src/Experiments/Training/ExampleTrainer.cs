using System.Numerics.Tensors;
using Reasoner.Policy;
using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Experiments.Training;

/// <summary>
/// Trains a <see cref="Gpt"/> on <see cref="TrainingExample"/>s: the one primitive under SFT, expert iteration,
/// AlphaZero-style targets, GRPO and value learning.
/// <para>
/// Row b of a batch holds the inputs [Begin] prompt completion (P prompt and C completion characters, 1 + P + C
/// tokens), padded to the longest row; input t predicts token t + 1, and the last input predicts [End] when the
/// example is finished (no target otherwise). Only completion targets count: with w_bj = Weight_b * TokenWeights_b[j]
/// for completion target j, policy loss = sum_bj w_bj * (-log p(target_bj)) / N, N the number of targets with
/// w_bj != 0 in the batch. So weight 1 everywhere is the mean NLL of the completion tokens (SFT), weights scale it
/// linearly and may be negative (advantages), and value-only examples (weight 0) do not dilute it. Prompt and padding
/// never contribute.
/// </para>
/// <para>
/// Value loss = mean over every value target of the batch of BCE(sigmoid(value logit), target), the value logit read at
/// the last input: the last token of prompt + completion for a partial solution, and for a finished one the [End]
/// token, appended as one more input (with no target). Both are what <see cref="GptDecoder.Value"/> returns for that
/// state in search, where a finished answer line's [End] is fed to the cache. Line values add targets inside the row,
/// each at the separator that ends its state (causal attention reads no further), so one pass trains a whole path.
/// Total = PolicyLossWeight * policy loss + ValueLossWeight * value loss.
/// </para>
/// Buffers are preallocated for (BatchSize, ctx): once warm a step allocates nothing beyond the examples themselves.
/// </summary>
public sealed class ExampleTrainer
{
    private readonly GptTrainer _trainer;
    private readonly TrainingBatch _batch;
    private int _nonFiniteInARow;

    public ExampleTrainer(Gpt model, Tokenizer tokenizer, WorkerPool pool, ExampleTrainerConfig config)
    {
        if (tokenizer.VocabSize != model.Config.Vocab)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab is {model.Config.Vocab}");
        Config = config.Validated();
        Tokenizer = tokenizer;
        _trainer = new GptTrainer(model, pool, Config.BatchSize, model.Config.Context, new TrainerConfig(
            MaxLearningRate: Config.LearningRate, MinLearningRate: Config.MinLearningRate, WarmupSteps: Config.WarmupSteps,
            DecaySteps: Config.DecaySteps, WeightDecay: Config.WeightDecay, MaxGradNorm: Config.MaxGradNorm,
            ValueLossWeight: Config.ValueLossWeight, TokenLossWeight: Config.PolicyLossWeight));
        _batch = _trainer.CreateBatch();
        _batch.Objective = TokenObjective.SignedWeightedMean;
        _batch.ValueLoss = ValueLossKind.BinaryCrossEntropy;
    }

    public Gpt Model => _trainer.Model;
    /// <summary>The optimiser under this trainer, for tests that compare its state.</summary>
    internal GptTrainer Optimizer => _trainer;
    /// <summary>The learning rate of the next step (the NaN/inf guard halves it after a skipped step).</summary>
    public float LearningRate => _trainer.LearningRate;
    public Tokenizer Tokenizer { get; }
    public ExampleTrainerConfig Config { get; }
    public int StepsTaken => _trainer.StepsTaken;
    /// <summary>Input tokens (padding excluded) of every batch run so far: the numerator of tokens/s.</summary>
    public long TokensProcessed { get; private set; }

    /// <summary>Throws naming the example when it cannot be trained on: too long for the context, characters outside
    /// the alphabet, token weights of the wrong length, a value target outside [0,1] or a non-finite weight.</summary>
    public void Validate(TrainingExample example, int index)
    {
        int context = Model.Config.Context;
        if (example.TokenCount > context)
            throw new ArgumentException($"training example {index} {example.Describe()} takes {example.TokenCount} tokens " +
                $"(begin, {example.Prompt.Length} prompt, {example.Completion.Length} completion{(example.Finished ? ", end" : "")}), more than the model's context {context}");
        if (example.TokenWeights is { } weights && weights.Length != example.TargetCount)
            throw new ArgumentException($"training example {index} {example.Describe()} has {weights.Length} token weights for {example.TargetCount} completion targets");
        if (example.LineValues is { } lines && (lines.Length != example.StateCount || lines.Any(v => !float.IsNaN(v) && !(v >= 0 && v <= 1))
            || (!example.Finished && example.ValueTarget is not null)))
            throw new ArgumentException($"training example {index} {example.Describe()} has {lines.Length} line values for {example.StateCount} states " +
                "(each NaN or in [0, 1]; a partial example's last state is its last line value, not a value target)");
        if (example.ValueTarget is { } value && !(value >= 0 && value <= 1))
            throw new ArgumentException($"training example {index} {example.Describe()} has value target {value} outside [0, 1]");
        if (example.ReferenceLogProbs is { } reference && reference.Length != example.TargetCount)
            throw new ArgumentException($"training example {index} {example.Describe()} has {reference.Length} reference log-probabilities for {example.TargetCount} completion targets");
        if (example.ReferenceLogProbs?.Any(p => !(p <= 0 && float.IsFinite(p))) ?? false)
            throw new ArgumentException($"training example {index} {example.Describe()} has a reference log-probability that is not a finite number <= 0");
        if (!float.IsFinite(example.Weight) || (example.TokenWeights?.Any(w => !float.IsFinite(w)) ?? false))
            throw new ArgumentException($"training example {index} {example.Describe()} has a weight that is not finite");
        Span<int> scratch = stackalloc int[context];
        try
        {
            Tokenizer.Encode(example.Prompt, scratch);
            Tokenizer.Encode(example.Completion, scratch);
        }
        catch (FormatException error)
        {
            throw new FormatException($"training example {index} {example.Describe()}: {error.Message}", error);
        }
    }

    /// <summary>
    /// One optimisation step on <paramref name="batch"/> (1 to BatchSize examples). The NaN/inf guard: a step whose loss or
    /// gradient norm is not finite updates nothing (the weights and AdamW moments stay the last good step's; see
    /// <see cref="GptTrainer.ClipAndUpdate"/>), halves the learning rate for the rest of training and comes back
    /// <see cref="TrainingStep.Skipped"/>; the MaxNonFiniteSteps-th such step in a row throws <see cref="TrainingDivergedException"/>.
    /// </summary>
    public TrainingStep Step(IReadOnlyList<TrainingExample> batch)
    {
        var losses = ComputeGradients(batch);
        if (!float.IsFinite(losses.Total)) return Skip(losses, TensorPrimitives.Norm(_trainer.Gradients));
        var (norm, rate) = _trainer.ClipAndUpdate();
        if (!float.IsFinite(norm)) return Skip(losses, norm);
        _nonFiniteInARow = 0;
        return new TrainingStep(_trainer.StepsTaken, losses, norm, rate);
    }

    private TrainingStep Skip(TrainingLosses losses, float norm)
    {
        _trainer.LearningRateScale /= 2;
        var step = new TrainingStep(_trainer.StepsTaken + 1, losses, norm, _trainer.LearningRate, Skipped: true);
        if (++_nonFiniteInARow >= Config.MaxNonFiniteSteps) throw new TrainingDivergedException(step, _nonFiniteInARow);
        return step;
    }

    /// <summary>Zeroes the gradients and fills <see cref="Gradients"/> with those of the batch's total loss; no update.</summary>
    internal TrainingLosses ComputeGradients(IReadOnlyList<TrainingExample> batch)
    {
        _trainer.ZeroGradients();
        var losses = Forward(batch);
        _trainer.Backward();
        return losses;
    }

    /// <summary>Parameter gradients of the last <see cref="ComputeGradients"/> (before clipping), laid out like the parameters.</summary>
    internal ReadOnlySpan<float> Gradients => _trainer.Gradients;

    /// <summary>The losses of <paramref name="batch"/> under the current parameters, without a gradient step.</summary>
    public TrainingLosses Evaluate(IReadOnlyList<TrainingExample> batch) => Forward(batch);

    /// <summary>
    /// <paramref name="steps"/> steps over <paramref name="examples"/> in batches of BatchSize, reshuffled with
    /// <paramref name="random"/> at every epoch (a batch may wrap into the next epoch). Every example is validated first.
    /// Cancelling stops at the next step boundary and returns the curve so far. Every step goes to
    /// <paramref name="progress"/>, skipped ones (<see cref="Step"/>) included; the curve holds the steps taken.
    /// </summary>
    public LossCurve Train(IReadOnlyList<TrainingExample> examples, int steps, Random random, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (examples.Count == 0) throw new ArgumentException("no training examples", nameof(examples));
        for (int i = 0; i < examples.Count; i++) Validate(examples[i], i);
        var order = new int[examples.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order);
        var chosen = new TrainingExample[Config.BatchSize];
        var curve = new List<TrainingStep>(steps);
        int next = 0;
        for (int s = 0; s < steps && !cancellation.IsCancellationRequested; s++)
        {
            for (int b = 0; b < chosen.Length; b++)
            {
                if (next == order.Length)
                {
                    random.Shuffle(order);
                    next = 0;
                }
                chosen[b] = examples[order[next++]];
            }
            var step = Step(chosen);
            if (!step.Skipped) curve.Add(step);
            progress?.Report(step);
        }
        return new LossCurve(curve);
    }

    private TrainingLosses Forward(IReadOnlyList<TrainingExample> batch)
    {
        int rows = batch.Count;
        if (rows < 1 || rows > Config.BatchSize) throw new ArgumentException($"a batch holds 1 to {Config.BatchSize} examples, got {rows}", nameof(batch));
        int time = 1;
        for (int b = 0; b < rows; b++)
        {
            var example = batch[b];
            if (example.TokenCount > Model.Config.Context) Validate(example, b); // throws naming it
            time = Math.Max(time, example.InputCount);
        }
        _batch.Resize(rows, time);
        for (int b = 0; b < rows; b++) Pack(batch[b], b, time);
        TokensProcessed += CountInputs(batch);
        return _trainer.Forward(_batch);
    }

    private static long CountInputs(IReadOnlyList<TrainingExample> batch)
    {
        long tokens = 0;
        for (int b = 0; b < batch.Count; b++) tokens += batch[b].InputCount;
        return tokens;
    }

    private void SetValue(int index, float target)
    {
        _batch.ValueTargets[index] = target;
        _batch.ValueWeights[index] = 1f + (Config.PositiveValueWeight - 1f) * target;
    }

    /// <summary>Writes row <paramref name="b"/>: tokens, targets, signed weights, value target.</summary>
    private void Pack(TrainingExample example, int b, int time)
    {
        int prompt = example.Prompt.Length, completion = example.Completion.Length, inputs = 1 + prompt + completion;
        var tokens = _batch.Tokens.Slice(b * time, time);
        var targets = _batch.Targets.Slice(b * time, time);
        var lossWeights = _batch.LossWeights.Slice(b * time, time);
        tokens[0] = Tokenizer.Begin;
        try
        {
            Tokenizer.Encode(example.Prompt, tokens.Slice(1));
            Tokenizer.Encode(example.Completion, tokens.Slice(1 + prompt));
        }
        catch (FormatException error)
        {
            throw new FormatException($"training example {b} of the batch {example.Describe()}: {error.Message}", error);
        }
        tokens.Slice(inputs).Fill(Tokenizer.Padding);
        tokens.Slice(1, inputs - 1).CopyTo(targets);
        targets[inputs - 1] = example.Finished ? Tokenizer.End : Tokenizer.Padding;
        targets.Slice(inputs).Fill(Tokenizer.Padding);
        if (example.InputCount > inputs) tokens[inputs] = Tokenizer.End; // the finished state whose value is trained

        if ((example.TokenWeights is { } tokenWeights && tokenWeights.Length != example.TargetCount)
            || (example.ReferenceLogProbs is { } reference && reference.Length != example.TargetCount)) Validate(example, b);
        for (int j = 0; j < example.TargetCount; j++)
        {
            // Target j (completion character j, or the end token) is predicted by input position prompt + j.
            float w = example.Weight * (example.TokenWeights?[j] ?? 1f);
            lossWeights[prompt + j] = w;
        }
        if (example.ReferenceLogProbs is { } logProbs && Config.KlBeta > 0)
        {
            logProbs.CopyTo(_batch.ReferenceLogProbs.Slice(b * time + prompt, logProbs.Length));
            _batch.KlWeights.Slice(b * time + prompt, logProbs.Length).Fill(Config.KlBeta);
        }
        if (example.LineValues is { } lines)
        {
            if (lines.Length != example.StateCount || (!example.Finished && example.ValueTarget is not null)) Validate(example, b);
            // State 0 ends at the prompt's last character (input prompt); state i at the i-th separator of the completion,
            // and its line starts just after the previous separator.
            for (int i = 0, position = prompt; i < lines.Length; i++)
            {
                int lineStart = position + 1;
                if (i > 0) position = 1 + prompt + example.Completion.IndexOf('\n', position - prompt);
                if (float.IsNaN(lines[i])) continue;
                for (int t = i > 0 && example.ValuesAlongLines ? lineStart : position; t <= position; t++) SetValue(b * time + t, lines[i]);
            }
        }
        if (example.ValuesAlongLines && example.ValueTarget is { } answer && example.Finished)
        {
            // The answer line's tokens: after the last separator (or the prompt) up to the end token's input.
            int answerStart = 1 + prompt + example.Completion.LastIndexOf('\n') + 1;
            for (int t = answerStart; t < example.InputCount - 1; t++) SetValue(b * time + t, answer);
        }
        if (example.ValueTarget is { } value) SetValue(b * time + example.InputCount - 1, value);
    }
}
