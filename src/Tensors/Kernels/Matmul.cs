using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// The linear layer's three matrix products, in llm.c's layout (row-major, PyTorch's (out, in) weights).
/// R = rows (B*T), C = input features, OC = output features.
/// </summary>
/// <remarks>
/// All three run on <see cref="Gemm"/>'s packed, register-blocked kernel: forward is A @ B^T (NT), the input
/// gradient A @ B (NN), the weight gradient A^T @ B (TN). A product of few rows would spend as long packing the
/// weight as multiplying: decoders pass the weight packed once (<see cref="PackedWeight"/>), and without one, 1-4 rows
/// take dot products straight from the weight rows and up to 256 a transposed product that reads the weight in place.
/// </remarks>
public static unsafe class Matmul
{
    // Up to this many rows, forward computes dot products straight from the stored weight rows: below it, packing
    // the whole weight for a few rows costs more than the product (measured: 1-2 rows 4-7x faster, 4 rows even,
    // 8 rows 2x slower than the packed kernel).
    internal const int SmallRows = 4;

    // From this many rows a weight packed once (PackedWeight) beats the dot products: 3 rows 73 vs 65 GFLOP/s, 4 rows
    // 93 vs 55-88, 2 rows 52-57 vs 57-59 (bench/Reasoner.Bench matmul, decode small R=2..4, 1 thread, Zen 5).
    internal const int PackedFromRows = 3;

    /// <summary>output (R,OC) = input (R,C) @ weight (OC,C)^T + bias (OC). An empty bias means none. With
    /// <paramref name="packed"/>, the same weight packed (<see cref="PackedWeight"/>): products from 3 rows (AVX2: below 16
    /// rows, and wherever the transposed product does not apply) read it from there instead of packing it again.</summary>
    public static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures, PackedWeight? packed = null) =>
        Forward(pool, output, input, weight, bias, rows, inFeatures, outFeatures, Vector512.IsHardwareAccelerated, packed);

    /// <summary><see cref="Forward(WorkerPool, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, PackedWeight?)"/>
    /// with the vector width chosen by the caller (tests run the Vector256 kernels on AVX-512 machines too); a packed
    /// weight of the other width is not used.</summary>
    internal static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures, bool wide, PackedWeight? packed = null)
    {
        Check(output.Length, rows * outFeatures, nameof(output));
        Check(input.Length, rows * inFeatures, nameof(input));
        Check(weight.Length, outFeatures * inFeatures, nameof(weight));
        if (!bias.IsEmpty) Check(bias.Length, outFeatures, nameof(bias));
        if (packed != null && (packed.InFeatures != inFeatures || packed.OutFeatures != outFeatures))
            throw new ArgumentException($"the packed weight is ({packed.OutFeatures},{packed.InFeatures}), the product's ({outFeatures},{inFeatures})", nameof(packed));
        if (rows == 0 || outFeatures == 0) return;
        fixed (float* o = output, x = input, w = weight, b = bias)
        {
            if (wide && rows <= SmallRows && Avx.IsSupported && (packed == null || rows < PackedFromRows))
            {
                // Split the outputs into one chunk per thread, in whole groups of 4 weight rows.
                int groups = (outFeatures + 3) / 4;
                int chunks = Math.Min(pool.Threads, groups);
                var body = new SmallRowsForward(o, x, w, bias.IsEmpty ? null : b, rows, inFeatures, outFeatures, groups, chunks);
                pool.For(chunks, ref body);
                return;
            }
            bool transposable = rows <= TransposedRows && rows >= Gemm.PanelColumns(wide) / 2 && rows < outFeatures && inFeatures > 0;
            // With AVX2 the transposed product keeps up from a whole 16-row panel of rows: the packed product's 6-row
            // strips leave part of the last one idle (a 64-row decode step took 8.20 ms instead of 7.95, decode small,
            // 1 thread), while AVX-512's 8-row strips divide the batches searches and decoding use.
            if (packed != null && packed.Wide == wide && (wide || !transposable || rows < Gemm.PanelColumns(wide)))
            {
                Gemm.Multiply(pool, o, outFeatures, new GemmOperand(x, inFeatures, false), new GemmOperand(w, inFeatures, true),
                    rows, outFeatures, inFeatures, wide, overwrite: true, bias.IsEmpty ? null : b, packed.Panels);
                return;
            }
            if (transposable)
            {
                ForwardTransposed(pool, o, x, w, bias.IsEmpty ? null : b, rows, inFeatures, outFeatures, wide);
                return;
            }
            if (inFeatures == 0)
            {
                for (int r = 0; r < rows; r++)
                {
                    var row = output.Slice(r * outFeatures, outFeatures);
                    if (bias.IsEmpty) row.Clear();
                    else bias.CopyTo(row);
                }
                return;
            }
            Gemm.Multiply(pool, o, outFeatures, new GemmOperand(x, inFeatures, false), new GemmOperand(w, inFeatures, true),
                rows, outFeatures, inFeatures, wide, overwrite: true, bias.IsEmpty ? null : b);
        }
    }

    // Up to this many rows (a decode step's slots), a forward with more outputs than rows runs transposed; from half a
    // register panel's columns (Gemm.PanelColumns) up, since the rows become the panel's columns and fewer would leave
    // most of each tile's work padding (a search's 6-8 row steps ran 1.7x slower that way).
    internal const int TransposedRows = 256;

    // The transposed product of the calling thread: grown on demand, kept, so a warm decode step allocates nothing.
    [ThreadStatic] private static float[]? t_transposed;

    /// <summary>
    /// output = input @ weight^T + bias computed as output^T (OC,R) = weight (OC,C) @ input^T (C,R), then transposed: the
    /// weight is read in place as A's rows and only the few input rows are packed, where the direct product would pack
    /// the whole weight on every call (a decode step's products reuse each packed weight element only R times).
    /// </summary>
    private static void ForwardTransposed(WorkerPool pool, float* output, float* input, float* weight, float* bias, int rows, int c, int oc, bool wide)
    {
        int size = rows * oc;
        if (t_transposed == null || t_transposed.Length < size) t_transposed = GC.AllocateUninitializedArray<float>(size, pinned: true);
        fixed (float* transposed = t_transposed)
        {
            Gemm.Multiply(pool, transposed, rows, new GemmOperand(weight, c, false), new GemmOperand(input, c, true), oc, rows, c, wide, overwrite: true);
            // output[r, o] = transposed[o, r] + bias[o], 8 x 8 blocks through registers, the edges element by element.
            int r8 = Avx.IsSupported ? rows / 8 * 8 : 0, o8 = oc / 8 * 8;
            for (int r = 0; r < r8; r += 8)
                for (int o = 0; o < o8; o += 8)
                    Gemm.Transpose8x8(transposed + (long)o * rows + r, rows, output + (long)r * oc + o, oc);
            for (int r = 0; r < rows; r++)
            {
                int o = r < r8 ? o8 : 0;
                for (; o < oc; o++) output[(long)r * oc + o] = transposed[(long)o * rows + r];
                if (bias != null)
                {
                    var row = new Span<float>(output + (long)r * oc, oc);
                    TensorPrimitives.Add(row, new ReadOnlySpan<float>(bias, oc), row);
                }
            }
        }
    }

    /// <summary>
    /// Accumulates the gradients of <see cref="Forward(WorkerPool, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int)"/>:
    /// dInput (R,C) += dOutput (R,OC) @ weight (OC,C); dWeight (OC,C) += dOutput^T @ input; dBias (OC) += column sums
    /// of dOutput. Empty dInput or dBias: skipped.
    /// </summary>
    public static void Backward(WorkerPool pool, Span<float> dInput, Span<float> dWeight, Span<float> dBias,
        ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures) =>
        Backward(pool, dInput, dWeight, dBias, dOutput, input, weight, rows, inFeatures, outFeatures, Vector512.IsHardwareAccelerated);

    internal static void Backward(WorkerPool pool, Span<float> dInput, Span<float> dWeight, Span<float> dBias,
        ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures, bool wide)
    {
        Check(dOutput.Length, rows * outFeatures, nameof(dOutput));
        Check(input.Length, rows * inFeatures, nameof(input));
        Check(weight.Length, outFeatures * inFeatures, nameof(weight));
        Check(dWeight.Length, outFeatures * inFeatures, nameof(dWeight));
        if (!dInput.IsEmpty) Check(dInput.Length, rows * inFeatures, nameof(dInput));
        if (!dBias.IsEmpty) Check(dBias.Length, outFeatures, nameof(dBias));
        fixed (float* dx = dInput, dw = dWeight, dy = dOutput, x = input, w = weight)
        {
            // dInput = dOutput @ weight: (R,OC) @ (OC,C), both as stored.
            if (!dInput.IsEmpty)
                Gemm.Multiply(pool, dx, inFeatures, new GemmOperand(dy, outFeatures, false), new GemmOperand(w, inFeatures, false),
                    rows, inFeatures, outFeatures, wide);
            // dWeight = dOutput^T @ input: (OC,R) @ (R,C), the sum running over rows.
            Gemm.Multiply(pool, dw, inFeatures, new GemmOperand(dy, outFeatures, true), new GemmOperand(x, inFeatures, false),
                outFeatures, inFeatures, rows, wide);
        }
        if (!dBias.IsEmpty)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(dBias, dOutput.Slice(r * outFeatures, outFeatures), dBias);
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }

    /// <summary>
    /// Forward for a handful of rows (decoding): each output is a dot product of an input row and a weight row, both
    /// contiguous, so nothing is packed and each weight row is read from memory once for all rows. Tiles of
    /// up to 4 rows x 4 outputs keep 16 zmm accumulators busy; chunk i owns output groups [i*groups/chunks, ...).
    /// </summary>
    private readonly struct SmallRowsForward(float* output, float* input, float* weight, float* bias, int rows, int c, int oc,
        int groups, int chunks) : IParallelBody
    {
        public void Invoke(int chunk)
        {
            int o0 = (int)((long)chunk * groups / chunks) * 4, o1 = Math.Min(oc, (int)((long)(chunk + 1) * groups / chunks) * 4);
            int o = o0;
            for (; o + 4 <= o1; o += 4)
            {
                int r = 0;
                for (; r + 4 <= rows; r += 4) Dot4x4(r, o);
                for (; r < rows; r++) Dot1x4(r, o);
            }
            for (; o < o1; o++)
                for (int r = 0; r < rows; r++)
                {
                    float sum = TensorPrimitives.Dot(new ReadOnlySpan<float>(input + (long)r * c, c), new ReadOnlySpan<float>(weight + (long)o * c, c));
                    output[(long)r * oc + o] = bias == null ? sum : sum + bias[o];
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Dot4x4(int r, int o)
        {
            float* x0 = input + (long)r * c, x1 = x0 + c, x2 = x1 + c, x3 = x2 + c;
            float* w0 = weight + (long)o * c, w1 = w0 + c, w2 = w1 + c, w3 = w2 + c;
            Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
            Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
            int k = 0;
            for (; k + 16 <= c; k += 16)
            {
                var v0 = Vector512.Load(w0 + k); var v1 = Vector512.Load(w1 + k); var v2 = Vector512.Load(w2 + k); var v3 = Vector512.Load(w3 + k);
                var u = Vector512.Load(x0 + k);
                s00 = Vector512.FusedMultiplyAdd(u, v0, s00); s01 = Vector512.FusedMultiplyAdd(u, v1, s01);
                s02 = Vector512.FusedMultiplyAdd(u, v2, s02); s03 = Vector512.FusedMultiplyAdd(u, v3, s03);
                u = Vector512.Load(x1 + k);
                s10 = Vector512.FusedMultiplyAdd(u, v0, s10); s11 = Vector512.FusedMultiplyAdd(u, v1, s11);
                s12 = Vector512.FusedMultiplyAdd(u, v2, s12); s13 = Vector512.FusedMultiplyAdd(u, v3, s13);
                u = Vector512.Load(x2 + k);
                s20 = Vector512.FusedMultiplyAdd(u, v0, s20); s21 = Vector512.FusedMultiplyAdd(u, v1, s21);
                s22 = Vector512.FusedMultiplyAdd(u, v2, s22); s23 = Vector512.FusedMultiplyAdd(u, v3, s23);
                u = Vector512.Load(x3 + k);
                s30 = Vector512.FusedMultiplyAdd(u, v0, s30); s31 = Vector512.FusedMultiplyAdd(u, v1, s31);
                s32 = Vector512.FusedMultiplyAdd(u, v2, s32); s33 = Vector512.FusedMultiplyAdd(u, v3, s33);
            }
            Store(r, o, k, Sum4(s00, s01, s02, s03));
            Store(r + 1, o, k, Sum4(s10, s11, s12, s13));
            Store(r + 2, o, k, Sum4(s20, s21, s22, s23));
            Store(r + 3, o, k, Sum4(s30, s31, s32, s33));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Dot1x4(int r, int o)
        {
            float* x0 = input + (long)r * c;
            float* w0 = weight + (long)o * c, w1 = w0 + c, w2 = w1 + c, w3 = w2 + c;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int k = 0;
            for (; k + 16 <= c; k += 16)
            {
                var u = Vector512.Load(x0 + k);
                s0 = Vector512.FusedMultiplyAdd(u, Vector512.Load(w0 + k), s0);
                s1 = Vector512.FusedMultiplyAdd(u, Vector512.Load(w1 + k), s1);
                s2 = Vector512.FusedMultiplyAdd(u, Vector512.Load(w2 + k), s2);
                s3 = Vector512.FusedMultiplyAdd(u, Vector512.Load(w3 + k), s3);
            }
            Store(r, o, k, Sum4(s0, s1, s2, s3));
        }

        /// <summary>The four horizontal sums [sum a, sum b, sum c, sum d], sharing the shuffles: a horizontal sum per
        /// vector costs more than the whole dot product when C is 128.</summary>
        private static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        {
            var ab = Avx.HorizontalAdd(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper());
            var cd = Avx.HorizontalAdd(c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
            var abcd = Avx.HorizontalAdd(ab, cd);
            return abcd.GetLower() + abcd.GetUpper();
        }

        /// <summary>Adds the K tail [k, C) and the bias to the four sums and writes output[r, o : o+4].</summary>
        private void Store(int r, int o, int k, Vector128<float> sums)
        {
            if (k < c)
            {
                float* x = input + (long)r * c, w = weight + (long)o * c;
                float tail0 = 0, tail1 = 0, tail2 = 0, tail3 = 0;
                for (; k < c; k++)
                {
                    tail0 += x[k] * w[k]; tail1 += x[k] * w[c + k]; tail2 += x[k] * w[2 * c + k]; tail3 += x[k] * w[3 * c + k];
                }
                sums += Vector128.Create(tail0, tail1, tail2, tail3);
            }
            if (bias != null) sums += Vector128.Load(bias + o);
            sums.Store(output + (long)r * oc + o);
        }
    }
}
