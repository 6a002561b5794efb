using System.Numerics.Tensors;

namespace Reasoner.Tensors.Kernels;

/// <summary>The residual connection: output = a + b.</summary>
public static class Residual
{
    /// <summary>output (N) = a (N) + b (N).</summary>
    public static void Forward(Span<float> output, ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Add(a, b, output);

    /// <summary>Forward is a + b, so the gradient flows unchanged into both: dA += dOut, dB += dOut.</summary>
    public static void Backward(Span<float> dA, Span<float> dB, ReadOnlySpan<float> dOutput)
    {
        TensorPrimitives.Add(dA, dOutput, dA);
        TensorPrimitives.Add(dB, dOutput, dB);
    }
}
