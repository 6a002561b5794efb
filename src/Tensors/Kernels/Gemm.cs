using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Reasoner.Tensors.Kernels;

/// <summary>One operand of <see cref="Gemm"/>: a row-major matrix, read either as stored or transposed.</summary>
/// <param name="data">first element</param>
/// <param name="stride">elements between consecutive stored rows</param>
/// <param name="transposed">false: X[i,j] = Data[i*Stride + j]; true: X[i,j] = Data[j*Stride + i]</param>
internal readonly unsafe struct GemmOperand(float* data, int stride, bool transposed)
{
    public readonly float* Data = data;
    public readonly int Stride = stride;
    public readonly bool Transposed = transposed;
}

/// <summary>
/// C (M,N) += A (M,K) @ B (K,N), blocked and packed in the manner of Goto and BLIS: B is copied into column panels
/// of NR, A into row strips of MR, so the micro-kernel streams both contiguously and keeps an MR x NR tile of C in
/// registers (8 x 32 in 16 of the 32 zmm with AVX-512, 6 x 16 in 12 of the 16 ymm otherwise). Blocks of KC x NC of
/// B and MC x KC of A keep the panels in L1 and the strips in L2. Any M, N, K >= 1: edge tiles are computed on
/// zero-padded panels into a scratch tile and only its valid part is written to C.
/// </summary>
internal static unsafe class Gemm
{
    // K is cut into the fewest blocks of at most KC (AVX-512) or KC/2 (AVX2) steps, of equal size: each block adds its
    // part of C into C, so fewer blocks move C through memory fewer times (GPT-2's weight gradients, 9 MiB each, went
    // 4 times through with blocks of 256). A 512 x 32 panel of B is 64 KiB, streamed from L2 across a column of
    // strips at 16 bytes a cycle; AVX2's 256 x 16 panel, 16 KiB, stays in a Zen 3's 32 KiB L1.
    private const int KC = 512;
    private const int MC = 144;  // an MC x KC block of A is 288 KiB: stays in L2; a multiple of both MRs
    private const int NC = 512;  // a KC x NC block of B is 1 MiB: L2/L3, read once per block of A
    private const int ScratchFloats = MC * KC + KC * NC + 16; // + 16: room to align to 64 bytes
    private const int InPlaceStride = 512; // floats (2 KiB): the longest operand stride read in place, unpacked

    // Packing space of the thread running a block: allocated once per thread (pinned, never moves), reused by every
    // product, so a warm training or decode step allocates nothing.
    [ThreadStatic] private static float[]? t_scratch;

    /// <summary>C (M,N) += A (M,K) @ B (K,N), or with <paramref name="overwrite"/> C = A @ B + bias (N) broadcast over
    /// rows (no bias: null), never reading C. <paramref name="wide"/> selects the Vector512 micro-kernel.
    /// <paramref name="packedB"/>: B already in panels of the whole K (<see cref="PackPanels"/> for this width), read
    /// from there instead of B (a weight packed once and kept, which a product of a few rows would pack again per call).</summary>
    internal static void Multiply(WorkerPool pool, float* c, int ldc, GemmOperand a, GemmOperand b, int m, int n, int k, bool wide,
        bool overwrite = false, float* bias = null, float* packedB = null)
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        int mr = StripRows(wide), nr = PanelColumns(wide);
        // C is cut along its longer side into several blocks per thread, claimed one at a time: a thread the OS
        // deschedules (the machine is shared) holds up one small block, not half the product, and a worker that wakes
        // late finds the rest taken. A product too small for that (a decode step's, a few rows) still takes one block
        // per thread above SplitWork: on one thread the small-batch decoding that search does ran 1.7x slower.
        // Tiny products stay on one thread.
        long work = (long)m * n * k;
        bool splitRows = m >= n;
        int units = splitRows ? (m + mr - 1) / mr : (n + nr - 1) / nr;
        int most = pool.Threads == 1 ? 1 : work >= BlockWork * 2 ? pool.Threads * BlocksPerThread : pool.Threads;
        int blocks = (int)Math.Min(Math.Clamp(work / (work >= BlockWork * 2 ? BlockWork : SplitWork), 1, most), units);
        bool packB = b.Transposed || b.Stride > InPlaceStride;
        long sharedFloats = PanelFloats(n, k, wide);
        float* sharedB = packedB;
        if (sharedB == null && blocks > 1 && splitRows && packB && sharedFloats <= SharedPackLimit)
        {
            // Every block of rows would pack all of B: pack it once, in parallel, into panels of the whole K.
            if (t_shared == null || t_shared.Length < sharedFloats + 16) t_shared = GC.AllocateUninitializedArray<float>((int)sharedFloats + 16, pinned: true);
            sharedB = Aligned(t_shared);
            PackPanels(pool, b, k, n, wide, sharedB);
        }
        else if (sharedB == null && splitRows && packB) blocks = Math.Min(blocks, pool.Threads); // each block packs B: no more of them than threads
        var body = new Blocks(c, ldc, a, b, m, n, k, wide, mr, nr, splitRows, units, blocks, overwrite, bias, sharedB);
        pool.For(blocks, ref body);
    }

    private const long BlockWork = 1L << 21;    // multiply-adds a block does at least (~20 us): claiming one costs ~0.1 us
    private const long SplitWork = 100_000;     // multiply-adds per thread below which a product stays on one thread
    private const int BlocksPerThread = 2;
    private const long SharedPackLimit = 1L << 26; // floats (256 MiB): B packed once for all blocks up to this size
    private const int PackGroup = 4;            // panels a task of the shared packing copies

    // B packed once for every block of a product (see Multiply): the calling thread's, grown on demand and kept.
    [ThreadStatic] private static float[]? t_shared;

    private static float* Aligned(float[] pinned) =>
        (float*)(((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)) + 63) & ~(nint)63);

    /// <summary>Floats that B (K,N) takes in panels of the whole K (<see cref="PackPanels"/>): N rounded up to whole panels.</summary>
    internal static long PanelFloats(int n, int k, bool wide) => (long)((n + PanelColumns(wide) - 1) / PanelColumns(wide)) * PanelColumns(wide) * k;

    /// <summary>Packs B (K,N) into panels of NR columns over the whole K, as <see cref="Multiply"/> reads them:
    /// panel q at q*NR*K, step p at + p*NR, zero past the last column. <paramref name="packed"/> holds
    /// <see cref="PanelFloats"/>, 64-byte aligned.</summary>
    internal static void PackPanels(WorkerPool pool, GemmOperand b, int k, int n, bool wide, float* packed)
    {
        int nr = PanelColumns(wide), groups = (n + PackGroup * nr - 1) / (PackGroup * nr);
        var pack = new PanelGroups(b, k, n, nr, packed);
        pool.For(groups, ref pack);
    }

    /// <summary><see cref="PackPanels"/>'s work: index i packs panels [i*PackGroup, (i+1)*PackGroup).</summary>
    private readonly struct PanelGroups(GemmOperand b, int k, int n, int nr, float* packed) : IParallelBody
    {
        public void Invoke(int group)
        {
            int j0 = group * PackGroup * nr;
            PackB(b, 0, k, j0, Math.Min(PackGroup * nr, n - j0), nr, packed + (long)j0 * k);
        }
    }

    /// <summary>MR: rows of A per packed strip, rows of the register tile.</summary>
    internal static int StripRows(bool wide) => wide ? 8 : 6;

    /// <summary>NR: columns of B per packed panel, columns of the register tile.</summary>
    internal static int PanelColumns(bool wide) => wide ? 32 : 16;

    /// <summary>
    /// One register tile for kernels that pack their own operands (attention): C[0:rows, 0:cols] += strip (MR x kc, as
    /// <see cref="PackA"/> lays it out) @ panel (kc x NR, as <see cref="PackB"/> lays it out), or with
    /// <paramref name="store"/> C = product + bias (null: none). rows &lt;= MR, cols &lt;= NR.
    /// </summary>
    internal static void Tile(bool wide, float* strip, float* panel, int kc, float* c, int ldc, int rows, int cols, bool store, float* bias = null)
    {
        if (wide) Kernel8x32(strip, 1, 8, panel, 32, kc, c, ldc, rows, cols, store, bias);
        else Kernel6x16(strip, 1, 6, panel, 16, kc, c, ldc, rows, cols, store, bias);
    }

    private readonly struct Blocks(float* c, int ldc, GemmOperand a, GemmOperand b, int m, int n, int k, bool wide, int mr,
        int nr, bool splitRows, int units, int blocks, bool overwrite, float* bias, float* sharedB) : IParallelBody
    {
        public void Invoke(int block)
        {
            // Block i gets units [i*units/blocks, (i+1)*units/blocks): strips of MR rows or panels of NR columns.
            int first = (int)((long)block * units / blocks), last = (int)((long)(block + 1) * units / blocks);
            int m0 = 0, m1 = m, n0 = 0, n1 = n;
            if (splitRows) (m0, m1) = (first * mr, Math.Min(m, last * mr));
            else (n0, n1) = (first * nr, Math.Min(n, last * nr));

            float* aligned = Aligned(t_scratch ??= GC.AllocateUninitializedArray<float>(ScratchFloats, pinned: true));
            float* packedA = aligned, packedB = aligned + MC * KC;
            // Rows of a row-major A are read in place: a strip's 8 rows fall into the same L1 sets only 8 deep. So are
            // columns of a transposed A and rows of a row-major B with a short stride: packing them would cost more than
            // it saves, as the small models' products reuse each packed element only a few hundred times. A long
            // stride is packed: the 256 rows of an in-place panel would fall into a few L1 sets (a stride of 4 KiB
            // puts them all in one) and evict each other. A last strip of fewer than MR rows and a last panel of fewer
            // than NR columns are packed too (zero-padded); a transposed B (a linear layer's weight) always is, once
            // for all blocks (sharedB, panels of the whole K) or each KC x NC block once.
            bool aInPlace = !a.Transposed || a.Stride <= InPlaceStride, packB = b.Transposed || b.Stride > InPlaceStride;
            int maxBlock = wide ? KC : KC / 2, kBlocks = (k + maxBlock - 1) / maxBlock, kBlock = (k + kBlocks - 1) / kBlocks;
            for (int jc = n0; jc < n1; jc += NC)
            {
                int nc = Math.Min(NC, n1 - jc), fullPanels = packB ? 0 : nc / nr * nr;
                for (int pc = 0; pc < k; pc += kBlock)
                {
                    int kc = Math.Min(kBlock, k - pc);
                    bool store = overwrite && pc == 0; // the first K block writes C, later ones add to it
                    if (sharedB == null && fullPanels < nc) PackB(b, pc, kc, jc + fullPanels, nc - fullPanels, nr, packedB + (long)fullPanels * kc);
                    for (int ic = m0; ic < m1; ic += MC)
                    {
                        int mc = Math.Min(MC, m1 - ic), fullStrips = aInPlace ? mc / mr * mr : 0;
                        if (fullStrips < mc) PackA(a, ic + fullStrips, mc - fullStrips, pc, kc, mr, packedA + (long)fullStrips * kc);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            bool bInPlace = jr < fullPanels;
                            float* panel = bInPlace ? b.Data + (long)pc * b.Stride + jc + jr
                                : sharedB != null ? sharedB + (long)(jc + jr) * k + (long)pc * nr : packedB + (long)jr * kc;
                            nint bStep = bInPlace ? b.Stride : nr;
                            float* panelBias = bias == null ? null : bias + jc + jr;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                float* tile = c + (long)(ic + ir) * ldc + jc + jr;
                                float* strip = packedA + (long)ir * kc;
                                nint aRow = 1, aStep = mr;
                                if (ir < fullStrips && a.Transposed)
                                {
                                    strip = a.Data + (long)pc * a.Stride + ic + ir;
                                    aStep = a.Stride;
                                }
                                else if (ir < fullStrips)
                                {
                                    strip = a.Data + (long)(ic + ir) * a.Stride + pc;
                                    (aRow, aStep) = (a.Stride, 1);
                                    if (jr == 0) PrefetchRows(strip + (long)mr * a.Stride, a.Stride, Math.Min(mr, m1 - (ic + ir + mr)), kc);
                                }
                                int rows = Math.Min(mr, mc - ir);
                                if (wide) Kernel8x32(strip, aRow, aStep, panel, bStep, kc, tile, ldc, rows, cols, store, panelBias);
                                else Kernel6x16(strip, aRow, aStep, panel, bStep, kc, tile, ldc, rows, cols, store, panelBias);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Asks for <paramref name="rows"/> rows of <paramref name="floats"/> floats, <paramref name="stride"/> apart, to
    /// be brought into cache.</summary>
    private static void PrefetchRows(float* first, long stride, int rows, int floats)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++)
            for (int p = 0; p < floats; p += 16) Sse.Prefetch0(first + i * stride + p);
    }

    /// <summary>Copies A[i0 : i0+mc, p0 : p0+kc] into strips of mr rows: strip s, step p holds A[i0+s*mr+i, p0+p]
    /// at [s*mr*kc + p*mr + i], zero past the last row.</summary>
    internal static void PackA(GemmOperand a, int i0, int mc, int p0, int kc, int mr, float* packed)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            float* strip = packed + (long)ir * kc;
            int rows = Math.Min(mr, mc - ir);
            // A full strip is copied 8 floats at a time. With MR = 6 each 8-float store also writes 2 floats of the next
            // step, which that step's store overwrites: the vector loops stop before the last step, so nothing past
            // the strip is written (nor past the last stored row read).
            bool vector = rows == mr && Avx.IsSupported;
            if (a.Transposed)
            {
                // Stored as (K,M): the mr values of one step are contiguous.
                int p = 0;
                if (vector)
                    for (; p < kc - 1; p++)
                        Vector256.Store(Vector256.Load(a.Data + (long)(p0 + p) * a.Stride + i0 + ir), strip + p * mr);
                for (; p < kc; p++)
                {
                    float* source = a.Data + (long)(p0 + p) * a.Stride + i0 + ir;
                    float* target = strip + p * mr;
                    int i = 0;
                    for (; i < rows; i++) target[i] = source[i];
                    for (; i < mr; i++) target[i] = 0;
                }
            }
            else if (vector)
            {
                // Stored as (M,K): a step of the strip is a column of mr stored rows, transposed 8 steps at a time.
                float* source = a.Data + (long)(i0 + ir) * a.Stride + p0;
                int p = 0;
                for (; p + 8 < kc; p += 8)
                {
                    if (mr == 8) Transpose8x8(source + p, a.Stride, strip + p * 8, 8);
                    else Transpose6x8(source + p, a.Stride, strip + p * 6);
                }
                for (; p < kc; p++)
                    for (int i = 0; i < mr; i++) strip[p * mr + i] = source[(long)i * a.Stride + p];
            }
            else
            {
                // Stored as (M,K): walk each row sequentially, scattering with stride mr.
                for (int i = 0; i < rows; i++)
                {
                    float* source = a.Data + (long)(i0 + ir + i) * a.Stride + p0;
                    for (int p = 0; p < kc; p++) strip[p * mr + i] = source[p];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) strip[p * mr + i] = 0;
            }
        }
    }

    /// <summary>Copies B[p0 : p0+kc, j0 : j0+nc] into panels of nr columns: panel q, step p holds B[p0+p, j0+q*nr+j]
    /// at [q*nr*kc + p*nr + j], zero past the last column.</summary>
    internal static void PackB(GemmOperand b, int p0, int kc, int j0, int nc, int nr, float* packed)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            float* panel = packed + (long)jr * kc;
            int cols = Math.Min(nr, nc - jr);
            if (!b.Transposed)
            {
                // Stored as (K,N): each step of the panel is a contiguous run of nr values.
                for (int p = 0; p < kc; p++)
                {
                    float* source = b.Data + (long)(p0 + p) * b.Stride + j0 + jr;
                    float* target = panel + p * nr;
                    if (cols == nr)
                    {
                        for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(source + j), target + j);
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++) target[j] = source[j];
                        for (; j < nr; j++) target[j] = 0;
                    }
                }
            }
            else if (cols == nr && Avx.IsSupported)
            {
                // Stored as (N,K), like a linear layer's weight: one step of the panel is a column of nr stored rows.
                // 8 x 8 register transposes read and write whole vectors, several times faster than element copies.
                float* source = b.Data + (long)(j0 + jr) * b.Stride + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    for (int j = 0; j < nr; j += 8) Transpose8x8(source + (long)j * b.Stride + p, b.Stride, panel + p * nr + j, nr);
                for (; p < kc; p++)
                    for (int j = 0; j < nr; j++) panel[p * nr + j] = source[(long)j * b.Stride + p];
            }
            else
            {
                // Stored as (N,K): walk each stored row sequentially.
                for (int j = 0; j < cols; j++)
                {
                    float* source = b.Data + (long)(j0 + jr + j) * b.Stride + p0;
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = source[p];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) panel[p * nr + j] = 0;
            }
        }
    }

    /// <summary>target[t*targetStride + i] = source[i*sourceStride + t] for an 8 x 8 block.</summary>
    internal static void Transpose8x8(float* source, long sourceStride, float* target, int targetStride) =>
        Transpose(Avx.LoadVector256(source), Avx.LoadVector256(source + sourceStride), Avx.LoadVector256(source + 2 * sourceStride),
            Avx.LoadVector256(source + 3 * sourceStride), Avx.LoadVector256(source + 4 * sourceStride), Avx.LoadVector256(source + 5 * sourceStride),
            Avx.LoadVector256(source + 6 * sourceStride), Avx.LoadVector256(source + 7 * sourceStride), target, targetStride);

    /// <summary>target[t*6 + i] = source[i*sourceStride + t] for 6 rows and 8 steps (t), each step's 8-float store writing
    /// 2 zeros into the next step's place (target needs 50 floats, of which the next step's store overwrites the last 2).</summary>
    private static void Transpose6x8(float* source, long sourceStride, float* target) =>
        Transpose(Avx.LoadVector256(source), Avx.LoadVector256(source + sourceStride), Avx.LoadVector256(source + 2 * sourceStride),
            Avx.LoadVector256(source + 3 * sourceStride), Avx.LoadVector256(source + 4 * sourceStride), Avx.LoadVector256(source + 5 * sourceStride),
            Vector256<float>.Zero, Vector256<float>.Zero, target, 6);

    /// <summary>Stores column t of the 8 rows r0..r7 at target + t*targetStride, t = 0..7 in order.</summary>
    private static void Transpose(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, Vector256<float> r4,
        Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* target, int targetStride)
    {
        // Interleave pairs of rows, then pairs of pairs: each 128-bit lane holds 4 rows of one column...
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1); var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5); var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE); var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE); var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // ...(columns 0-3 low, 4-7 high), so joining the lanes of rows 0-3 and 4-7 gives whole columns.
        Avx.Store(target, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(target + targetStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(target + 2 * targetStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(target + 3 * targetStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(target + 4 * targetStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(target + 5 * targetStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(target + 6 * targetStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(target + 7 * targetStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>C[0:rows, 0:cols] += A (8 x kc) @ B (kc x 32), the 8 x 32 tile held in 16 zmm registers: per step, 2 loads
    /// of B and 8 broadcasts of A feed 16 FMAs. With <paramref name="store"/>, C = product + bias.
    /// A's element (i, p) is at a[i * aRow + p * aStep] and B's row p at b + p * bStep, so one kernel reads packed strips
    /// (aRow 1, aStep 8) and panels (bStep 32) and operands in place: rows of a row-major A (aRow = its stride, aStep 1),
    /// columns of a transposed one (aRow 1, aStep = its stride), rows of a row-major B (bStep = its stride).
    /// All 8 rows of A are read (a strip of fewer rows is packed with zero rows first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Kernel8x32(float* a, nint aRow, nint aStep, float* b, nint bStep, int kc, float* c, int ldc, int rows, int cols, bool store, float* bias)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        float* a0 = a, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow, a4 = a3 + aRow, a5 = a4 + aRow, a6 = a5 + aRow, a7 = a6 + aRow;
        for (nint q = 0, end = kc * aStep; q != end; q += aStep)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            b += bStep;
            var ai = Vector512.Create(a0[q]);
            c00 = Vector512.FusedMultiplyAdd(ai, b0, c00); c01 = Vector512.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a1[q]);
            c10 = Vector512.FusedMultiplyAdd(ai, b0, c10); c11 = Vector512.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a2[q]);
            c20 = Vector512.FusedMultiplyAdd(ai, b0, c20); c21 = Vector512.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a3[q]);
            c30 = Vector512.FusedMultiplyAdd(ai, b0, c30); c31 = Vector512.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a4[q]);
            c40 = Vector512.FusedMultiplyAdd(ai, b0, c40); c41 = Vector512.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a5[q]);
            c50 = Vector512.FusedMultiplyAdd(ai, b0, c50); c51 = Vector512.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a6[q]);
            c60 = Vector512.FusedMultiplyAdd(ai, b0, c60); c61 = Vector512.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a7[q]);
            c70 = Vector512.FusedMultiplyAdd(ai, b0, c70); c71 = Vector512.FusedMultiplyAdd(ai, b1, c71);
        }
        if (rows == 8 && cols == 32 && store)
        {
            var bias0 = bias == null ? default : Vector512.Load(bias);
            var bias1 = bias == null ? default : Vector512.Load(bias + 16);
            StoreRow(c, c00, c01); StoreRow(c + ldc, c10, c11); StoreRow(c + 2 * ldc, c20, c21); StoreRow(c + 3 * ldc, c30, c31);
            StoreRow(c + 4 * ldc, c40, c41); StoreRow(c + 5 * ldc, c50, c51); StoreRow(c + 6 * ldc, c60, c61); StoreRow(c + 7 * ldc, c70, c71);
            return;

            void StoreRow(float* row, Vector512<float> low, Vector512<float> high)
            {
                Vector512.Store(low + bias0, row);
                Vector512.Store(high + bias1, row + 16);
            }
        }
        if (rows == 8 && cols == 32)
        {
            AddRow(c, c00, c01); AddRow(c + ldc, c10, c11); AddRow(c + 2 * ldc, c20, c21); AddRow(c + 3 * ldc, c30, c31);
            AddRow(c + 4 * ldc, c40, c41); AddRow(c + 5 * ldc, c50, c51); AddRow(c + 6 * ldc, c60, c61); AddRow(c + 7 * ldc, c70, c71);
            return;
        }
        float* tile = stackalloc float[8 * 32];
        c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208); c70.Store(tile + 224); c71.Store(tile + 240);
        WriteEdge(tile, 32, c, ldc, rows, cols, store, bias);

        static void AddRow(float* row, Vector512<float> low, Vector512<float> high)
        {
            Vector512.Store(Vector512.Load(row) + low, row);
            Vector512.Store(Vector512.Load(row + 16) + high, row + 16);
        }
    }

    /// <summary>C[0:rows, 0:cols] += A (6 x kc) @ B (kc x 16), the 6 x 16 tile held in 12 ymm registers; operands are
    /// read as <see cref="Kernel8x32"/> reads them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void Kernel6x16(float* a, nint aRow, nint aStep, float* b, nint bStep, int kc, float* c, int ldc, int rows, int cols, bool store, float* bias)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        float* a0 = a, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow, a4 = a3 + aRow, a5 = a4 + aRow;
        for (nint q = 0, end = kc * aStep; q != end; q += aStep)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            b += bStep;
            var ai = Vector256.Create(a0[q]);
            c00 = Vector256.FusedMultiplyAdd(ai, b0, c00); c01 = Vector256.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a1[q]);
            c10 = Vector256.FusedMultiplyAdd(ai, b0, c10); c11 = Vector256.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a2[q]);
            c20 = Vector256.FusedMultiplyAdd(ai, b0, c20); c21 = Vector256.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a3[q]);
            c30 = Vector256.FusedMultiplyAdd(ai, b0, c30); c31 = Vector256.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a4[q]);
            c40 = Vector256.FusedMultiplyAdd(ai, b0, c40); c41 = Vector256.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a5[q]);
            c50 = Vector256.FusedMultiplyAdd(ai, b0, c50); c51 = Vector256.FusedMultiplyAdd(ai, b1, c51);
        }
        if (rows == 6 && cols == 16)
        {
            // Full tiles (all but the edges) go straight to C: through the scratch tile, element by element, they cost
            // ~13% of a product and a quarter of attention.
            if (store)
            {
                var bias0 = bias == null ? default : Vector256.Load(bias);
                var bias1 = bias == null ? default : Vector256.Load(bias + 8);
                StoreRow(c, c00, c01); StoreRow(c + ldc, c10, c11); StoreRow(c + 2 * ldc, c20, c21);
                StoreRow(c + 3 * ldc, c30, c31); StoreRow(c + 4 * ldc, c40, c41); StoreRow(c + 5 * ldc, c50, c51);

                void StoreRow(float* row, Vector256<float> low, Vector256<float> high)
                {
                    Vector256.Store(low + bias0, row);
                    Vector256.Store(high + bias1, row + 8);
                }
            }
            else
            {
                AddRow(c, c00, c01); AddRow(c + ldc, c10, c11); AddRow(c + 2 * ldc, c20, c21);
                AddRow(c + 3 * ldc, c30, c31); AddRow(c + 4 * ldc, c40, c41); AddRow(c + 5 * ldc, c50, c51);
            }
            return;

            static void AddRow(float* row, Vector256<float> low, Vector256<float> high)
            {
                Vector256.Store(Vector256.Load(row) + low, row);
                Vector256.Store(Vector256.Load(row + 8) + high, row + 8);
            }
        }
        float* tile = stackalloc float[6 * 16];
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        WriteEdge(tile, 16, c, ldc, rows, cols, store, bias);
    }

    /// <summary>Adds the valid part of a tile to C, or with <paramref name="store"/> writes it plus the bias.</summary>
    private static void WriteEdge(float* tile, int tileStride, float* c, int ldc, int rows, int cols, bool store, float* bias)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                float value = tile[i * tileStride + j];
                float* target = c + (long)i * ldc + j;
                *target = store ? value + (bias == null ? 0 : bias[j]) : *target + value;
            }
    }
}
