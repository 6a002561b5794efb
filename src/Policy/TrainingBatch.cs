using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy;

/// <summary>What the token loss is over the weighted positions.</summary>
public enum TokenObjective
{
    /// <summary>Supervised: sum_bt w_bt CE_bt / sum_bt w_bt (SFT on solution tokens).</summary>
    MeanCrossEntropy,
    /// <summary>Policy gradient: -sum_b s_b sum_t w_bt log p(target_bt), s_b the per-sequence weights (e.g. advantages).</summary>
    SequenceWeightedLogLikelihood,
    /// <summary>Signed per-token weights: sum_bt w_bt CE_bt / |{w_bt != 0}|, w may be negative (GRPO's advantage);
    /// weights 1 on the solution tokens give the mean CE. Positions with a KlWeights beta add beta * k3(p_ref / p_theta)
    /// against ReferenceLogProbs, computed with the policy being trained (see CrossEntropy.SignedMeanWithKl).</summary>
    SignedWeightedMean,
}

/// <summary>
/// One training batch of B rows of T tokens, in buffers preallocated for a maximum (B,T): call <see cref="Resize"/>,
/// then fill the spans (all (B,T) row-major unless said). Resize zeroes every weight, so positions left alone do not count.
/// Tokens: inputs; Targets: the next token at each position; LossWeights: per-position token-loss weight (0 for prompt
/// and padding); ValueTargets/ValueWeights: per-position value targets in [0,1] and weights (all 0: no value loss);
/// SequenceWeights (B): for <see cref="TokenObjective.SequenceWeightedLogLikelihood"/>.
/// </summary>
public sealed class TrainingBatch(int maxBatch, int maxTime)
{
    private readonly int[] _tokens = new int[maxBatch * maxTime], _targets = new int[maxBatch * maxTime];
    private readonly float[] _lossWeights = new float[maxBatch * maxTime], _valueTargets = new float[maxBatch * maxTime],
        _valueWeights = new float[maxBatch * maxTime], _sequenceWeights = new float[maxBatch],
        _klWeights = new float[maxBatch * maxTime], _referenceLogProbs = new float[maxBatch * maxTime];

    public int MaxBatch { get; } = maxBatch;
    public int MaxTime { get; } = maxTime;
    public int Batch { get; private set; } = maxBatch;
    public int Time { get; private set; } = maxTime;
    public TokenObjective Objective { get; set; } = TokenObjective.MeanCrossEntropy;
    public ValueLossKind ValueLoss { get; set; } = ValueLossKind.MeanSquared;

    public void Resize(int batch, int time)
    {
        if (batch < 1 || batch > MaxBatch || time < 1 || time > MaxTime)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch (B={batch}, T={time}) exceeds the preallocated (B={MaxBatch}, T={MaxTime})");
        (Batch, Time) = (batch, time);
        LossWeights.Clear();
        ValueWeights.Clear();
        SequenceWeights.Clear();
        KlWeights.Clear();
    }

    public Span<int> Tokens => _tokens.AsSpan(0, Batch * Time);
    public Span<int> Targets => _targets.AsSpan(0, Batch * Time);
    public Span<float> LossWeights => _lossWeights.AsSpan(0, Batch * Time);
    public Span<float> ValueTargets => _valueTargets.AsSpan(0, Batch * Time);
    public Span<float> ValueWeights => _valueWeights.AsSpan(0, Batch * Time);
    public Span<float> SequenceWeights => _sequenceWeights.AsSpan(0, Batch);
    /// <summary>Per-position KL coefficient beta (0: no KL there), for <see cref="TokenObjective.SignedWeightedMean"/>.</summary>
    public Span<float> KlWeights => _klWeights.AsSpan(0, Batch * Time);
    /// <summary>Per-position log-probability of the target under the reference policy, where KlWeights is non-zero.</summary>
    public Span<float> ReferenceLogProbs => _referenceLogProbs.AsSpan(0, Batch * Time);
}
