using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// A linear layer's weight (OC,C) copied once into the column panels that <see cref="Matmul.Forward(WorkerPool, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, PackedWeight?)"/>
/// multiplies by, for the vector width of this machine. A product of a few rows (a decode step of a search) otherwise
/// packs the whole weight on every call, which took longer than the multiply-adds themselves. It is a copy: after the
/// weight changes, pack it again.
/// </summary>
public sealed unsafe class PackedWeight
{
    private readonly float[] _data;

    public PackedWeight(WorkerPool pool, ReadOnlySpan<float> weight, int inFeatures, int outFeatures)
        : this(pool, weight, inFeatures, outFeatures, Vector512.IsHardwareAccelerated) { }

    internal PackedWeight(WorkerPool pool, ReadOnlySpan<float> weight, int inFeatures, int outFeatures, bool wide)
    {
        if (inFeatures < 1 || outFeatures < 1 || weight.Length != inFeatures * outFeatures)
            throw new ArgumentException($"weight has {weight.Length} elements, expected ({outFeatures},{inFeatures})", nameof(weight));
        (InFeatures, OutFeatures, Wide) = (inFeatures, outFeatures, wide);
        // As a linear layer's B (C,OC) is the weight transposed: panels of NR outputs over all C inputs.
        _data = GC.AllocateUninitializedArray<float>((int)Gemm.PanelFloats(outFeatures, inFeatures, wide) + 16, pinned: true);
        fixed (float* w = weight) Gemm.PackPanels(pool, new GemmOperand(w, inFeatures, transposed: true), inFeatures, outFeatures, wide, Panels);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    /// <summary>The vector width the panels are laid out for (true: Vector512).</summary>
    internal bool Wide { get; }

    /// <summary>The first panel, 64-byte aligned (the array is pinned).</summary>
    internal float* Panels => (float*)(((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data)) + 63) & ~(nint)63);
}
