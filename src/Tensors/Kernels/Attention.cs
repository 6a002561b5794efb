using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// Multi-head causal self-attention, one (batch row, head) per parallel index, as in llm.c; only the softmax
/// probabilities (B,H,T,T) are kept for backward. Each head's products (q k^T, att v, and the four of backward) run as
/// blocked matrix products on <see cref="Gemm"/>'s register tiles: the head's K, V (and Q, dOut) are packed once into
/// panels, each strip of MR query rows once into a strip, and every tile above the causal diagonal is skipped, so a
/// head costs about half of its square products. (Row-by-row dot products, the earlier form, spent 5-8x longer.)
/// </summary>
public static unsafe class Attention
{
    // Packing space of the thread running a head: grown on demand, kept for the thread's life, so a warm step allocates
    // nothing (the same scheme as Gemm's).
    [ThreadStatic] private static float[]? t_scratch;

    /// <summary>
    /// output (B,T,C) from qkv (B,T,3C) whose rows hold q|k|v, head h using columns h*hs..(h+1)*hs-1 of each.
    /// att (B,H,T,T) receives the probabilities: att[b,h,t,t2] = softmax_t2(q_t . k_t2 / sqrt(hs)) for t2 &lt;= t, 0 beyond.
    /// </summary>
    public static void Forward(WorkerPool pool, Span<float> output, Span<float> att, ReadOnlySpan<float> qkv, int batch, int time, int channels, int heads) =>
        Forward(pool, output, att, qkv, batch, time, channels, heads, Vector512.IsHardwareAccelerated);

    /// <summary><see cref="Forward(WorkerPool, Span{float}, Span{float}, ReadOnlySpan{float}, int, int, int, int)"/> with the
    /// vector width chosen by the caller (tests run the Vector256 tiles on AVX-512 machines too).</summary>
    internal static void Forward(WorkerPool pool, Span<float> output, Span<float> att, ReadOnlySpan<float> qkv, int batch, int time, int channels,
        int heads, bool wide)
    {
        CheckShapes(channels, heads);
        Check(output.Length >= batch * time * channels && att.Length >= batch * heads * time * time && qkv.Length >= batch * time * 3 * channels);
        fixed (float* o = output, a = att, x = qkv)
        {
            var body = new ForwardHeads(o, a, x, time, channels, heads, wide);
            pool.For(batch * heads, ref body);
        }
    }

    /// <summary>
    /// Backward of out_t = sum_t2 att[t,t2] v_t2 with att = softmax(pre), pre[t,t2] = q_t . k_t2 * scale:
    /// dv_t2 += att[t,t2] dout_t; datt[t,t2] = dout_t . v_t2; dpre = att * (datt - sum_t2(att * datt));
    /// dq_t += scale * sum_t2 dpre[t,t2] k_t2; dk_t2 += scale * dpre[t,t2] q_t. Heads own disjoint columns: no races.
    /// <paramref name="dAtt"/> (B,H,T,T) is working space, overwritten: it ends holding scale * dpre below the diagonal.
    /// </summary>
    public static void Backward(WorkerPool pool, Span<float> dQkv, Span<float> dAtt, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv,
        ReadOnlySpan<float> att, int batch, int time, int channels, int heads) =>
        Backward(pool, dQkv, dAtt, dOutput, qkv, att, batch, time, channels, heads, Vector512.IsHardwareAccelerated);

    internal static void Backward(WorkerPool pool, Span<float> dQkv, Span<float> dAtt, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> qkv,
        ReadOnlySpan<float> att, int batch, int time, int channels, int heads, bool wide)
    {
        CheckShapes(channels, heads);
        Check(dQkv.Length >= batch * time * 3 * channels && dOutput.Length >= batch * time * channels && qkv.Length >= batch * time * 3 * channels
            && att.Length >= batch * heads * time * time && dAtt.Length >= batch * heads * time * time);
        fixed (float* dx = dQkv, da = dAtt, dy = dOutput, x = qkv, a = att)
        {
            var body = new BackwardHeads(dx, da, dy, x, a, time, channels, heads, wide);
            pool.For(batch * heads, ref body);
        }
    }

    /// <summary>
    /// Attention of rows against a KV cache, for decoding. Row n belongs to cache slot slots[n] at position positions[n]
    /// and attends to the slot's cache rows 0..positions[n]. qkv (N,3C), keys and values (S,H,ctx,hs) for this layer,
    /// output (N,C): each slot's keys of one head are contiguous, so a decode step streams them from memory in order.
    /// With <paramref name="writeRows"/> each row first writes its own key and value (qkv's k and v parts) into the cache
    /// at its position, so the rows must belong to distinct slots (a decode step); without, every row's key and value
    /// must already be there (a prefill, whose rows attend to each other's).
    /// </summary>
    public static void ForwardCached(WorkerPool pool, Span<float> output, ReadOnlySpan<float> qkv, Span<float> keys, Span<float> values,
        ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, int rows, int context, int channels, int heads, bool writeRows = false) =>
        ForwardCached(pool, output, qkv, keys, values, slots, positions, rows, context, channels, heads, writeRows, Vector512.IsHardwareAccelerated);

    internal static void ForwardCached(WorkerPool pool, Span<float> output, ReadOnlySpan<float> qkv, Span<float> keys, Span<float> values,
        ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, int rows, int context, int channels, int heads, bool writeRows, bool wide)
    {
        CheckShapes(channels, heads);
        if (output.Length < rows * channels || qkv.Length < rows * 3 * channels || keys.Length != values.Length || keys.Length % (context * channels) != 0)
            throw new ArgumentException("cached attention needs output (N,C), qkv (N,3C) and keys and values of the same (S,H,ctx,hs)");
        int slotCount = keys.Length / (context * channels);
        for (int n = 0; n < rows; n++)
            if ((uint)slots[n] >= (uint)slotCount || (uint)positions[n] >= (uint)context)
                throw new ArgumentOutOfRangeException(nameof(positions), $"row {n}: slot {slots[n]} at position {positions[n]} is outside the cache ({slotCount} slots of {context})");
        if (writeRows)
            for (int n = 1; n < rows; n++)
                if (slots[..n].Contains(slots[n])) throw new ArgumentException($"rows that write their keys must belong to distinct slots: slot {slots[n]} has two", nameof(slots));
        fixed (float* o = output, q = qkv, k = keys, v = values)
        fixed (int* s = slots, p = positions)
        {
            long bytes = 0;
            for (int n = 0; n < rows; n++) bytes += (positions[n] + 1L) * channels * 2 * sizeof(float);
            var body = new CachedHeads(o, q, k, v, s, p, context, channels, heads, rows, writeRows, bytes >= PrefetchFromBytes, wide);
            pool.For(rows, ref body);
        }
    }

    private static void CheckShapes(int channels, int heads)
    {
        if (heads < 1 || channels % heads != 0) throw new ArgumentException($"channels {channels} must be a positive multiple of heads {heads}");
    }

    private static void Check(bool sizesFit)
    {
        if (!sizesFit) throw new ArgumentException("attention buffers are smaller than (B,T,C), (B,H,T,T) and (B,T,3C) require");
    }

    /// <summary>This thread's packing space of at least <paramref name="floats"/>, 64-byte aligned.</summary>
    private static float* Scratch(int floats)
    {
        if (t_scratch == null || t_scratch.Length < floats + 16)
            t_scratch = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true); // + 16: room to align
        return (float*)(((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_scratch)) + 63) & ~(nint)63);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// One head: S = Q K^T strip by strip (tiles right of the strip's last row skipped), each row's softmax in place, then
    /// out = P V with the sum over keys cut at the strip's last row (P is 0 beyond it).
    /// </summary>
    private readonly struct ForwardHeads(float* output, float* att, float* qkv, int T, int C, int H, bool wide) : IParallelBody
    {
        public void Invoke(int bh)
        {
            int b = bh / H, h = bh % H, hs = C / H, c3 = 3 * C, mr = Gemm.StripRows(wide), nr = Gemm.PanelColumns(wide);
            float scale = 1f / MathF.Sqrt(hs);
            float* q = qkv + (long)b * T * c3 + h * hs, k = q + C, v = q + 2 * C;
            float* probs = att + (long)bh * T * T, o = output + (long)b * T * C + h * hs;
            int keyColumns = RoundUp(T, nr), valueColumns = RoundUp(hs, nr);
            float* packedK = Scratch(keyColumns * hs + T * valueColumns + mr * Math.Max(hs, T));
            float* packedV = packedK + keyColumns * hs, strip = packedV + T * valueColumns;
            Gemm.PackB(new GemmOperand(k, c3, transposed: true), 0, hs, 0, T, nr, packedK); // K^T (hs,T)
            Gemm.PackB(new GemmOperand(v, c3, transposed: false), 0, T, 0, hs, nr, packedV); // V (T,hs)
            for (int t0 = 0; t0 < T; t0 += mr)
            {
                int rows = Math.Min(mr, T - t0), end = t0 + rows; // the strip's rows see keys [0, end)
                Gemm.PackA(new GemmOperand(q + (long)t0 * c3, c3, transposed: false), 0, rows, 0, hs, mr, strip);
                for (int j0 = 0; j0 < end; j0 += nr)
                    Gemm.Tile(wide, strip, packedK + j0 * hs, hs, probs + (long)t0 * T + j0, T, rows, Math.Min(nr, T - j0), store: true);
                for (int t = t0; t < end; t++)
                {
                    float* row = probs + (long)t * T;
                    Softmax.ScaledInPlace(row, t + 1, scale, wide);
                    new Span<float>(row + t + 1, T - t - 1).Clear(); // the tiles wrote scores of future keys too
                }
                Gemm.PackA(new GemmOperand(probs + (long)t0 * T, T, transposed: false), 0, rows, 0, end, mr, strip);
                for (int c0 = 0; c0 < hs; c0 += nr)
                    Gemm.Tile(wide, strip, packedV + c0 * T, end, o + (long)t0 * C + c0, C, rows, Math.Min(nr, hs - c0), store: true);
            }
        }
    }

    /// <summary>
    /// One head's backward in four blocked products: per strip of query rows dP = dOut V^T, then dpre in place, then
    /// dQ += dpre K; per strip of key rows dK += dpre^T Q and dV += P^T dOut, the sums over queries starting at the
    /// strip's first key (dpre and P are 0 above the diagonal).
    /// </summary>
    private readonly struct BackwardHeads(float* dQkv, float* dAtt, float* dOutput, float* qkv, float* att, int T, int C, int H, bool wide) : IParallelBody
    {
        public void Invoke(int bh)
        {
            int b = bh / H, h = bh % H, hs = C / H, c3 = 3 * C, mr = Gemm.StripRows(wide), nr = Gemm.PanelColumns(wide);
            float scale = 1f / MathF.Sqrt(hs);
            long rowsOffset = (long)b * T * c3 + h * hs;
            float* q = qkv + rowsOffset, k = q + C, v = q + 2 * C, dq = dQkv + rowsOffset, dk = dq + C, dv = dq + 2 * C;
            float* probs = att + (long)bh * T * T, dPre = dAtt + (long)bh * T * T, dOut = dOutput + (long)b * T * C + h * hs;
            int keyColumns = RoundUp(T, nr), headColumns = RoundUp(hs, nr);
            float* packedVt = Scratch(keyColumns * hs + 3 * T * headColumns + mr * Math.Max(hs, T));
            float* packedK = packedVt + keyColumns * hs, packedQ = packedK + T * headColumns, packedDOut = packedQ + T * headColumns;
            float* strip = packedDOut + T * headColumns;
            Gemm.PackB(new GemmOperand(v, c3, transposed: true), 0, hs, 0, T, nr, packedVt); // V^T (hs,T)
            Gemm.PackB(new GemmOperand(k, c3, transposed: false), 0, T, 0, hs, nr, packedK); // K (T,hs)
            Gemm.PackB(new GemmOperand(q, c3, transposed: false), 0, T, 0, hs, nr, packedQ); // Q (T,hs)
            Gemm.PackB(new GemmOperand(dOut, C, transposed: false), 0, T, 0, hs, nr, packedDOut); // dOut (T,hs)
            for (int t0 = 0; t0 < T; t0 += mr)
            {
                int rows = Math.Min(mr, T - t0), end = t0 + rows;
                // dP[t, 0:end] = dOut_t . v_t2
                Gemm.PackA(new GemmOperand(dOut + (long)t0 * C, C, transposed: false), 0, rows, 0, hs, mr, strip);
                for (int j0 = 0; j0 < end; j0 += nr)
                    Gemm.Tile(wide, strip, packedVt + j0 * hs, hs, dPre + (long)t0 * T + j0, T, rows, Math.Min(nr, T - j0), store: true);
                for (int t = t0; t < end; t++) PreSoftmaxGradient(probs + (long)t * T, dPre + (long)t * T, t + 1, end, scale);
                // dQ[t0:end] += dpre[t0:end, 0:end] @ K[0:end]
                Gemm.PackA(new GemmOperand(dPre + (long)t0 * T, T, transposed: false), 0, rows, 0, end, mr, strip);
                for (int c0 = 0; c0 < hs; c0 += nr)
                    Gemm.Tile(wide, strip, packedK + c0 * T, end, dq + (long)t0 * c3 + c0, c3, rows, Math.Min(nr, hs - c0), store: false);
            }
            for (int j0 = 0; j0 < T; j0 += mr)
            {
                int rows = Math.Min(mr, T - j0), queries = T - j0; // queries j0..T-1 see the strip's keys
                // dK[j0:j0+rows] += dpre[j0:T, j0:j0+rows]^T @ Q[j0:T]
                Gemm.PackA(new GemmOperand(dPre + (long)j0 * T + j0, T, transposed: true), 0, rows, 0, queries, mr, strip);
                for (int c0 = 0; c0 < hs; c0 += nr)
                    Gemm.Tile(wide, strip, packedQ + c0 * T + j0 * nr, queries, dk + (long)j0 * c3 + c0, c3, rows, Math.Min(nr, hs - c0), store: false);
                // dV[j0:j0+rows] += P[j0:T, j0:j0+rows]^T @ dOut[j0:T]
                Gemm.PackA(new GemmOperand(probs + (long)j0 * T + j0, T, transposed: true), 0, rows, 0, queries, mr, strip);
                for (int c0 = 0; c0 < hs; c0 += nr)
                    Gemm.Tile(wide, strip, packedDOut + c0 * T + j0 * nr, queries, dv + (long)j0 * c3 + c0, c3, rows, Math.Min(nr, hs - c0), store: false);
            }
        }

        /// <summary>dpre[0:n] = scale * P (dP - sum(P dP)) in place over dP's row, and 0 over [n, end): the rest of the
        /// diagonal strip, which the transposed products read. Two fused passes: rows are a few dozen long.</summary>
        private static void PreSoftmaxGradient(float* p, float* dP, int n, int end, float scale)
        {
            float weighted = Dot(p, dP, n);
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var (w, s) = (Vector512.Create(weighted), Vector512.Create(scale));
                for (; i <= n - 16; i += 16) ((Vector512.Load(dP + i) - w) * Vector512.Load(p + i) * s).Store(dP + i);
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var (w, s) = (Vector256.Create(weighted), Vector256.Create(scale));
                for (; i <= n - 8; i += 8) ((Vector256.Load(dP + i) - w) * Vector256.Load(p + i) * s).Store(dP + i);
            }
            for (; i < n; i++) dP[i] = (dP[i] - weighted) * p[i] * scale;
            new Span<float>(dP + n, end - n).Clear();
        }
    }

    /// <summary>
    /// One query row's attention over keys and values at rows 0..last (stride keyStride): scores into row[0..=last],
    /// softmax, then out = sum row[t2] v_t2. A decode step is one such row per slot and head, a matrix-vector product,
    /// so it is written for that: four keys' dot products at a time, reduced together; the output accumulated in registers
    /// 32 channels at a time rather than in memory key by key.
    /// </summary>
    private static void AttendRow(float* q, float* keys, float* values, int keyStride, int last, int hs, float* row, float* output, bool wide)
    {
        int t2 = 0;
        for (; t2 + 4 <= last + 1; t2 += 4)
        {
            float* k0 = keys + (long)t2 * keyStride;
            Dot4(q, k0, k0 + keyStride, k0 + 2 * keyStride, k0 + 3 * keyStride, hs).Store(row + t2);
        }
        for (; t2 <= last; t2++) row[t2] = Dot(q, keys + (long)t2 * keyStride, hs);
        Softmax.ScaledInPlace(row, last + 1, 1f / MathF.Sqrt(hs), wide);
        int c0 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c0 + 32 <= hs; c0 += 32)
            {
                Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default;
                float* v = values + c0;
                for (int t = 0; t <= last; t++, v += keyStride)
                {
                    var p = Vector256.Create(row[t]);
                    o0 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v), o0);
                    o1 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 8), o1);
                    o2 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 16), o2);
                    o3 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 24), o3);
                }
                o0.Store(output + c0); o1.Store(output + c0 + 8); o2.Store(output + c0 + 16); o3.Store(output + c0 + 24);
            }
            for (; c0 + 8 <= hs; c0 += 8)
            {
                var o = Vector256<float>.Zero;
                float* v = values + c0;
                for (int t = 0; t <= last; t++, v += keyStride) o = Vector256.FusedMultiplyAdd(Vector256.Create(row[t]), Vector256.Load(v), o);
                o.Store(output + c0);
            }
        }
        for (; c0 < hs; c0++)
        {
            float sum = 0;
            for (int t = 0; t <= last; t++) sum += row[t] * values[(long)t * keyStride + c0];
            output[c0] = sum;
        }
    }

    // Head vectors are short (hs = 32 or 64): inlined pointer loops avoid the per-call checks of TensorPrimitives,
    // which cost more than the arithmetic at this length.

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

    /// <summary>[q . k0, q . k1, q . k2, q . k3] over n floats: four accumulators, one shared reduction.</summary>
    private static Vector128<float> Dot4(float* q, float* k0, float* k1, float* k2, float* k3, int n)
    {
        int i = 0;
        var sums = Vector128<float>.Zero;
        if (Vector256.IsHardwareAccelerated && Avx.IsSupported && n >= 8)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.Load(q + i);
                a0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k0 + i), a0);
                a1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k1 + i), a1);
                a2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k2 + i), a2);
                a3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(k3 + i), a3);
            }
            var pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3)); // lane halves: [s0 s1 s2 s3 | s0 s1 s2 s3]
            sums = pairs.GetLower() + pairs.GetUpper();
        }
        for (; i < n; i++) sums += Vector128.Create(q[i] * k0[i], q[i] * k1[i], q[i] * k2[i], q[i] * k3[i]);
        return sums;
    }

    // Cached attention prefetches the next block only when a call reads at least this much of the cache. A search's
    // calls (a few rows, short contexts: a few hundred KB) find their blocks in L2 or L3, touched by the step before,
    // and the prefetch instructions cost more than they hide: MCTS on 60 Game-of-24 puzzles took 4% longer with them.
    // A batch of 64 rows reads MBs a layer, mostly from memory (decode small: 1.5 ms a step with, 2.2 without).
    private const long PrefetchFromBytes = 1L << 20;

    private readonly struct CachedHeads(float* output, float* qkv, float* keys, float* values, int* slots, int* positions, int context, int C, int H,
        int rows, bool writeRows, bool prefetch, bool wide) : IParallelBody
    {
        /// <summary>Row n's heads in order: a thread claims a row, so the block it prefetches is the one it reads next
        /// (at the row's last head, the next row's first block, which another thread may take).</summary>
        public void Invoke(int n)
        {
            int hs = C / H;
            Span<float> row = context <= 4096 ? stackalloc float[context] : new float[context];
            fixed (float* r = row)
            {
                for (int h = 0; h < H; h++)
                {
                    // A decode step reads every row's keys and values once, tens of MB that no cache holds, in blocks of a
                    // few KB: too short for the hardware prefetcher to ramp up. Fetching the next block while this one is
                    // computed hides the memory latency of each block's start.
                    if (prefetch && h + 1 < H) Prefetch(n, h + 1);
                    else if (prefetch && n + 1 < rows) Prefetch(n + 1, 0);
                    long headBase = ((long)slots[n] * H + h) * context * hs;
                    if (writeRows)
                    {
                        // Written here rather than before the call: a large call's prefetch brought this block, the
                        // row's own position included, so the write finds its cache line (a separate pass of writes
                        // waited on memory for each of them: 3% of a decode step).
                        long at = headBase + (long)positions[n] * hs;
                        float* rowQkv = qkv + (long)n * 3 * C + h * hs;
                        new ReadOnlySpan<float>(rowQkv + C, hs).CopyTo(new Span<float>(keys + at, hs));
                        new ReadOnlySpan<float>(rowQkv + 2 * C, hs).CopyTo(new Span<float>(values + at, hs));
                    }
                    AttendRow(qkv + (long)n * 3 * C + h * hs, keys + headBase, values + headBase, hs, positions[n], hs, r, output + (long)n * C + h * hs, wide);
                }
            }
        }

        private void Prefetch(int n, int h)
        {
            if (!Sse.IsSupported) return;
            int hs = C / H;
            long headBase = ((long)slots[n] * H + h) * context * hs, floats = (long)(positions[n] + 1) * hs;
            for (long i = 0; i < floats; i += 16)
            {
                Sse.Prefetch1(keys + headBase + i);
                Sse.Prefetch1(values + headBase + i);
            }
        }
    }
}
