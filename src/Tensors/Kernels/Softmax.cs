using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Kernels;

/// <summary>The one softmax: attention rows, cross-entropy and sampling all use it.</summary>
public static unsafe class Softmax
{
    /// <summary>probs (V) = exp(logits - max) / sum; subtracting the max keeps exp finite. probs may alias logits.</summary>
    public static void Forward(ReadOnlySpan<float> logits, Span<float> probs)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probs);
        TensorPrimitives.Exp(probs, probs);
        TensorPrimitives.Divide(probs, TensorPrimitives.Sum(probs), probs);
    }

    /// <summary>
    /// row[0:n] = softmax(scale * row[0:n]) in place (scale > 0): an attention row. Fused by hand into three passes over
    /// the row, which stays in L1: on rows of a few dozen scores the calls of <see cref="Forward"/> cost more than the
    /// arithmetic. <paramref name="wide"/> selects Vector512, else Vector256; the tail is scalar.
    /// </summary>
    internal static void ScaledInPlace(float* row, int n, float scale, bool wide)
    {
        float max = TensorPrimitives.Max(new ReadOnlySpan<float>(row, n));
        float shift = -max * scale, sum = 0;
        int i = 0;
        if (wide && Vector512.IsHardwareAccelerated)
        {
            var (s, b, total) = (Vector512.Create(scale), Vector512.Create(shift), Vector512<float>.Zero);
            for (; i <= n - 16; i += 16)
            {
                var e = Exponential.Of(Vector512.FusedMultiplyAdd(Vector512.Load(row + i), s, b));
                e.Store(row + i);
                total += e;
            }
            sum = Vector512.Sum(total);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var (s, b, total) = (Vector256.Create(scale), Vector256.Create(shift), Vector256<float>.Zero);
            for (; i <= n - 8; i += 8)
            {
                var e = Exponential.Of(Vector256.FusedMultiplyAdd(Vector256.Load(row + i), s, b));
                e.Store(row + i);
                total += e;
            }
            sum += Vector256.Sum(total);
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp(row[i] * scale + shift);
            row[i] = e;
            sum += e;
        }
        TensorPrimitives.Multiply(new ReadOnlySpan<float>(row, n), 1f / sum, new Span<float>(row, n));
    }

    /// <summary>log(sum(exp(logits))), computed stably as max + log(sum(exp(logits - max))).</summary>
    public static float LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float value in logits) sum += MathF.Exp(value - max);
        return max + (float)Math.Log(sum);
    }
}
