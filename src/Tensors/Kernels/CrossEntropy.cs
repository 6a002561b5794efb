using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// Softmax cross-entropy fused with the softmax: the (N,V) probabilities are never stored; backward recomputes them
/// from the logits and the kept log-sum-exp. How positions are weighted is a per-row coefficient on the loss:
/// <see cref="WeightedMean"/> for supervised tokens, <see cref="SequenceWeighted"/> for policy-gradient losses.
/// </summary>
public static unsafe class CrossEntropy
{
    /// <summary>losses (N) = logsumexp(logits_n) - logits_n[targets_n] = -log p(target); logSumExp (N) kept. logits (N,V).</summary>
    public static void Forward(WorkerPool pool, Span<float> losses, Span<float> logSumExp, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets,
        int rows, int vocab)
    {
        for (int n = 0; n < rows; n++)
            if ((uint)targets[n] >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(targets), targets[n], $"target at row {n} is outside the vocabulary [0, {vocab})");
        fixed (float* l = losses, s = logSumExp, x = logits)
        fixed (int* y = targets)
        {
            var body = new ForwardRows(l, s, x, y, vocab);
            pool.For(rows, ref body);
        }
    }

    /// <summary>losses_n = lse_n - logit_n[y_n], so dlogits_n += coefficients_n * (softmax(logits_n) - onehot(y_n)). Rows with a zero coefficient are skipped.</summary>
    public static void Backward(WorkerPool pool, Span<float> dLogits, ReadOnlySpan<float> coefficients, ReadOnlySpan<float> logits,
        ReadOnlySpan<float> logSumExp, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        fixed (float* d = dLogits, k = coefficients, x = logits, s = logSumExp)
        fixed (int* y = targets)
        {
            var body = new BackwardRows(d, k, x, s, y, vocab);
            pool.For(rows, ref body);
        }
    }

    /// <summary>
    /// Mean over weighted positions: sum_n w_n losses_n / sum_n w_n (0 when every weight is 0), and the backward
    /// coefficients w_n / sum w written into coefficients (N). Weights are non-negative; 0/1 weights make it a masked mean.
    /// </summary>
    public static float WeightedMean(ReadOnlySpan<float> losses, ReadOnlySpan<float> weights, Span<float> coefficients)
    {
        double total = 0, weightSum = 0;
        for (int n = 0; n < losses.Length; n++)
        {
            if (weights[n] < 0) throw new ArgumentOutOfRangeException(nameof(weights), weights[n], $"loss weight at row {n} is negative");
            weightSum += weights[n];
            total += (double)weights[n] * losses[n];
        }
        float inverse = weightSum > 0 ? (float)(1 / weightSum) : 0f;
        for (int n = 0; n < losses.Length; n++) coefficients[n] = weights[n] * inverse;
        return (float)(total * inverse);
    }

    /// <summary>
    /// Signed weighted mean: sum_n w_n losses_n / C, C the number of positions with w_n != 0 (0 when there are none),
    /// and the backward coefficients w_n / C. Weights may be negative (advantages, per-token KL terms): dividing by the
    /// count rather than by sum w keeps the gradient's sign and scale. <paramref name="meanLoss"/> is the plain mean of the
    /// losses at those C positions, for monitoring.
    /// </summary>
    public static float SignedMean(ReadOnlySpan<float> losses, ReadOnlySpan<float> weights, Span<float> coefficients, out float meanLoss)
    {
        int counted = 0;
        double total = 0, plain = 0;
        for (int n = 0; n < losses.Length; n++)
        {
            if (weights[n] == 0) continue;
            counted++;
            total += (double)weights[n] * losses[n];
            plain += losses[n];
        }
        float inverse = counted > 0 ? 1f / counted : 0f;
        for (int n = 0; n < losses.Length; n++) coefficients[n] = weights[n] * inverse;
        meanLoss = (float)(plain * inverse);
        return (float)(total * inverse);
    }

    /// <summary>
    /// <see cref="SignedMean"/> plus a KL penalty towards a reference policy, computed with the current policy (GRPO's
    /// k3 estimator, Schulman 2020): loss = (sum_n w_n CE_n + beta_n k3_n) / N with k3 = r - log r - 1 and
    /// r = p_ref / p_theta = exp(logRef_n + CE_n) at the target token, N the positions where w or beta is non-zero.
    /// Its derivative in CE_n, the coefficient of the cross-entropy backward, is (w_n + beta_n (r_n - 1)) / N.
    /// meanLoss is the plain mean CE over the counted positions.
    /// </summary>
    public static float SignedMeanWithKl(ReadOnlySpan<float> losses, ReadOnlySpan<float> weights, ReadOnlySpan<float> klWeights,
        ReadOnlySpan<float> referenceLogProbs, Span<float> coefficients, out float meanLoss)
    {
        int counted = 0;
        double total = 0, plain = 0;
        for (int n = 0; n < losses.Length; n++)
        {
            if (weights[n] == 0 && klWeights[n] == 0)
            {
                coefficients[n] = 0;
                continue;
            }
            counted++;
            double logRatio = referenceLogProbs[n] + (double)losses[n];
            double ratio = Math.Exp(Math.Min(logRatio, 30));
            total += (double)weights[n] * losses[n] + klWeights[n] * (ratio - logRatio - 1);
            plain += losses[n];
            coefficients[n] = (float)(weights[n] + klWeights[n] * (ratio - 1));
        }
        float inverse = counted > 0 ? 1f / counted : 0f;
        for (int n = 0; n < losses.Length; n++) coefficients[n] *= inverse;
        meanLoss = (float)(plain * inverse);
        return (float)(total * inverse);
    }

    /// <summary>
    /// Per-sequence weighted log-likelihood: loss = -sum_b w_b sum_t mask_bt log p(target_bt) = sum_b w_b sum_t mask_bt losses_bt,
    /// with coefficients (B,T) = w_b * mask_bt. Sequence weights may be negative (advantages).
    /// </summary>
    public static float SequenceWeighted(ReadOnlySpan<float> losses, ReadOnlySpan<float> sequenceWeights, ReadOnlySpan<float> mask,
        Span<float> coefficients, int batch, int time)
    {
        double total = 0;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++)
            {
                int n = b * time + t;
                coefficients[n] = sequenceWeights[b] * mask[n];
                total += (double)coefficients[n] * losses[n];
            }
        return (float)total;
    }

    private readonly struct ForwardRows(float* losses, float* logSumExp, float* logits, int* targets, int V) : IParallelBody
    {
        public void Invoke(int n)
        {
            var row = new ReadOnlySpan<float>(logits + (long)n * V, V);
            float lse = Softmax.LogSumExp(row);
            logSumExp[n] = lse;
            losses[n] = lse - row[targets[n]];
        }
    }

    private readonly struct BackwardRows(float* dLogits, float* coefficients, float* logits, float* logSumExp, int* targets, int V) : IParallelBody
    {
        public void Invoke(int n)
        {
            float k = coefficients[n];
            if (k == 0) return;
            float* x = logits + (long)n * V, d = dLogits + (long)n * V;
            float lse = logSumExp[n];
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (var (kv, shift) = (Vector256.Create(k), Vector256.Create(-lse)); i <= V - 8; i += 8)
                    Vector256.FusedMultiplyAdd(kv, Exponential.Of(Vector256.Load(x + i) + shift), Vector256.Load(d + i)).Store(d + i);
            for (; i < V; i++) d[i] += k * MathF.Exp(x[i] - lse);
            d[targets[n]] -= k;
        }
    }
}
