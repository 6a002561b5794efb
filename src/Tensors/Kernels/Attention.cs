using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// Multi-head causal self-attention, fused as in llm.c: q k^T / sqrt(hs), causal softmax and the weighted sum of values
/// in one kernel per (batch row, head). Only the softmax probabilities (B,H,T,T) are kept for backward.
/// </summary>
public static unsafe class Attention
{
    /// <summary>
    /// output (B,T,C) from qkv (B,T,3C) whose rows hold q|k|v, head h using columns h*hs..(h+1)*hs-1 of each.
    /// att (B,H,T,T) receives the probabilities: att[b,h,t,t2] = softmax_t2(q_t . k_t2 / sqrt(hs)) for t2 &lt;= t, 0 beyond.
    /// </summary>
    public static void Forward(WorkerPool pool, Span<float> output, Span<float> att, ReadOnlySpan<float> qkv, int batch, int time, int channels, int heads)
    {
        Check(output.Length >= batch * time * channels && att.Length >= batch * heads * time * time && qkv.Length >= batch * time * 3 * channels);
        fixed (float* o = output, a = att, x = qkv)
        {
            var body = new ForwardHeads(o, a, x, time, channels, heads);
            pool.For(batch * heads, ref body);
        }
    }

    /// <summary>
    /// Backward of out_t = sum_t2 att[t,t2] v_t2 with att = softmax(pre), pre[t,t2] = q_t . k_t2 * scale:
    /// dv_t2 += att[t,t2] dout_t; datt[t,t2] = dout_t . v_t2; dpre = att * (datt - sum_t2(att * datt));
    /// dq_t += scale * sum_t2 dpre[t,t2] k_t2; dk_t2 += scale * dpre[t,t2] q_t. Heads own disjoint columns: no races.
    /// </summary>
    public static void Backward(WorkerPool pool, Span<float> dQkv, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv, ReadOnlySpan<float> att,
        int batch, int time, int channels, int heads)
    {
        Check(dQkv.Length >= batch * time * 3 * channels && dOutput.Length >= batch * time * channels);
        fixed (float* dx = dQkv, dy = dOutput, x = qkv, a = att)
        {
            var body = new BackwardHeads(dx, dy, x, a, time, channels, heads);
            pool.For(batch * heads, ref body);
        }
    }

    /// <summary>
    /// Attention of rows against a KV cache, for decoding. Row n belongs to cache slot slots[n] at position positions[n];
    /// its key and value must already be in the cache, and it attends to the slot's cache rows 0..positions[n].
    /// q (N,3C) (only the q part is read), keys and values (S,ctx,C) for this layer, output (N,C).
    /// </summary>
    public static void ForwardCached(WorkerPool pool, Span<float> output, ReadOnlySpan<float> qkv, ReadOnlySpan<float> keys, ReadOnlySpan<float> values,
        ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, int rows, int context, int channels, int heads)
    {
        fixed (float* o = output, q = qkv, k = keys, v = values)
        fixed (int* s = slots, p = positions)
        {
            var body = new CachedHeads(o, q, k, v, s, p, context, channels, heads);
            pool.For(rows * heads, ref body);
        }
    }

    private static void Check(bool sizesFit)
    {
        if (!sizesFit) throw new ArgumentException("attention buffers are smaller than (B,T,C), (B,H,T,T) and (B,T,3C) require");
    }

    /// <summary>One query row's attention: scores into row[0..=last], softmax, then out = sum row[t2] v_t2.</summary>
    private static void AttendRow(float* q, float* keys, float* values, int keyStride, int last, int hs, float* row, float* output)
    {
        float scale = 1f / MathF.Sqrt(hs);
        for (int t2 = 0; t2 <= last; t2++) row[t2] = Dot(q, keys + (long)t2 * keyStride, hs) * scale;
        var probs = new Span<float>(row, last + 1);
        Softmax.Forward(probs, probs);
        new Span<float>(output, hs).Clear();
        for (int t2 = 0; t2 <= last; t2++) Axpy(output, row[t2], values + (long)t2 * keyStride, hs);
    }

    // Head vectors are short (hs = 32 or 64): inlined pointer loops avoid the per-call checks of TensorPrimitives,
    // which cost more than the arithmetic at this length (T^2/2 calls per head).

    /// <summary>sum_i a[i] b[i] over n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y[i] += alpha x[i] over n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float* y, float alpha, float* x, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var a = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(x + i), a, Vector256.Load(y + i)), y + i);
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    private readonly struct ForwardHeads(float* output, float* att, float* qkv, int T, int C, int H) : IParallelBody
    {
        public void Invoke(int bh)
        {
            int b = bh / H, h = bh % H, hs = C / H, c3 = 3 * C;
            float* rows = qkv + (long)b * T * c3;
            for (int t = 0; t < T; t++)
            {
                float* row = att + ((long)bh * T + t) * T;
                AttendRow(rows + (long)t * c3 + h * hs, rows + C + h * hs, rows + 2 * C + h * hs, c3, t, hs, row,
                    output + ((long)b * T + t) * C + h * hs);
                new Span<float>(row + t + 1, T - t - 1).Clear();
            }
        }
    }

    private readonly struct BackwardHeads(float* dQkv, float* dOutput, float* qkv, float* att, int T, int C, int H) : IParallelBody
    {
        public void Invoke(int bh)
        {
            int b = bh / H, h = bh % H, hs = C / H, c3 = 3 * C;
            float scale = 1f / MathF.Sqrt(hs);
            float* rows = qkv + (long)b * T * c3, dRows = dQkv + (long)b * T * c3;
            Span<float> dAttSpan = T <= 2048 ? stackalloc float[T] : new float[T];
            fixed (float* dAtt = dAttSpan)
                for (int t = 0; t < T; t++)
                {
                    float* row = att + ((long)bh * T + t) * T;
                    float* dout = dOutput + ((long)b * T + t) * C + h * hs;
                    float weighted = 0;
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        long v = (long)t2 * c3 + 2 * C + h * hs;
                        dAtt[t2] = Dot(dout, rows + v, hs);
                        Axpy(dRows + v, row[t2], dout, hs);
                        weighted += row[t2] * dAtt[t2];
                    }
                    float* q = rows + (long)t * c3 + h * hs;
                    float* dq = dRows + (long)t * c3 + h * hs;
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        float dPre = row[t2] * (dAtt[t2] - weighted) * scale;
                        if (dPre == 0) continue;
                        long k = (long)t2 * c3 + C + h * hs;
                        Axpy(dq, dPre, rows + k, hs);
                        Axpy(dRows + k, dPre, q, hs);
                    }
                }
        }
    }

    private readonly struct CachedHeads(float* output, float* qkv, float* keys, float* values, int* slots, int* positions, int context, int C, int H)
        : IParallelBody
    {
        public void Invoke(int nh)
        {
            int n = nh / H, h = nh % H, hs = C / H;
            long slotBase = (long)slots[n] * context * C + h * hs;
            Span<float> row = context <= 4096 ? stackalloc float[context] : new float[context];
            fixed (float* r = row)
                AttendRow(qkv + (long)n * 3 * C + h * hs, keys + slotBase, values + slotBase, C, positions[n], hs, r, output + (long)n * C + h * hs);
        }
    }
}
