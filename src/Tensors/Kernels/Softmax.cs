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
    /// arithmetic. <paramref name="wide"/> selects Vector512, else Vector256; tails are scalar.
    /// </summary>
    internal static void ScaledInPlace(float* row, int n, float scale, bool wide)
    {
        bool use512 = wide && Vector512.IsHardwareAccelerated, use256 = Vector256.IsHardwareAccelerated;
        float max = float.NegativeInfinity;
        int i = 0;
        if (use512 && n >= 16)
        {
            var m = Vector512.Load(row);
            for (i = 16; i <= n - 16; i += 16) m = Vector512.Max(m, Vector512.Load(row + i));
            max = MaxAcross(Vector256.Max(m.GetLower(), m.GetUpper()));
        }
        if (use256)
            for (; i <= n - 8; i += 8) max = MathF.Max(max, MaxAcross(Vector256.Load(row + i)));
        for (; i < n; i++) max = MathF.Max(max, row[i]);

        float shift = -max * scale, sum = 0;
        i = 0;
        if (use512)
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
        if (use256)
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

        float inverse = 1f / sum;
        i = 0;
        if (use512)
            for (var v = Vector512.Create(inverse); i <= n - 16; i += 16) (Vector512.Load(row + i) * v).Store(row + i);
        if (use256)
            for (var v = Vector256.Create(inverse); i <= n - 8; i += 8) (Vector256.Load(row + i) * v).Store(row + i);
        for (; i < n; i++) row[i] *= inverse;
    }

    private static float MaxAcross(Vector256<float> v)
    {
        var m = Vector128.Max(v.GetLower(), v.GetUpper());
        return MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));
    }

    /// <summary>log(sum(exp(logits))), computed stably as max + log(sum(exp(logits - max))). Vectorised (a row of GPT-2's
    /// 50,304 logits took ~0.3 ms with scalar exp); partial sums of 512 terms in float lanes, their total in double.</summary>
    public static float LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        fixed (float* x = logits)
        {
            int n = logits.Length, i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var shift = Vector256.Create(-max);
                while (i <= n - 8)
                {
                    var partial = Vector256<float>.Zero;
                    for (int stop = Math.Min(n - 7, i + 512); i < stop; i += 8) partial += Exponential.Of(Vector256.Load(x + i) + shift);
                    sum += Vector256.Sum(partial);
                }
            }
            for (; i < n; i++) sum += MathF.Exp(x[i] - max);
        }
        return max + (float)Math.Log(sum);
    }
}
