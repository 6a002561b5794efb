using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Kernels;

/// <summary>
/// GELU, tanh form (torch's approximate="tanh"): 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))).
/// Computed as u sigmoid(2a) with a = sqrt(2/pi) (u + 0.044715 u^3), the same function (0.5 (1 + tanh a) = sigmoid 2a),
/// so one <see cref="Exponential"/> and one division per element, fused in one pass: the five-pass TensorPrimitives
/// composition around Tanh spent ~4x as long.
/// </summary>
public static unsafe class Gelu
{
    private const float Scale = 0.7978845608028654f; // sqrt(2/pi)
    private const float Cubic = 0.044715f;
    private const int Block = 8192;                   // elements per parallel task: enough work to amortise the hand-off

    /// <summary>output (N) = gelu(input (N)).</summary>
    public static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input) =>
        Forward(pool, output, input, Vector512.IsHardwareAccelerated);

    /// <summary>dInput += dOutput * gelu'(input), with gelu'(u) = s + 2 u s (1 - s) sqrt(2/pi) (1 + 3*0.044715 u^2), s = sigmoid(2a).</summary>
    public static void Backward(WorkerPool pool, Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input) =>
        Backward(pool, dInput, dOutput, input, Vector512.IsHardwareAccelerated);

    /// <summary><see cref="Forward(WorkerPool, Span{float}, ReadOnlySpan{float})"/> with the vector width chosen by the caller.</summary>
    internal static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input, bool wide)
    {
        if (output.Length < input.Length) throw new ArgumentException($"output has {output.Length} elements, input {input.Length}", nameof(output));
        fixed (float* o = output, x = input)
        {
            var body = new ForwardBlocks(o, x, input.Length, wide);
            pool.For((input.Length + Block - 1) / Block, ref body);
        }
    }

    internal static void Backward(WorkerPool pool, Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, bool wide)
    {
        if (dInput.Length < input.Length || dOutput.Length < input.Length)
            throw new ArgumentException($"dInput ({dInput.Length}) and dOutput ({dOutput.Length}) must hold the input's {input.Length} elements");
        fixed (float* dx = dInput, dy = dOutput, x = input)
        {
            var body = new BackwardBlocks(dx, dy, x, input.Length, wide);
            pool.For((input.Length + Block - 1) / Block, ref body);
        }
    }

    // exp(-2a) = exp(u * (-2 sqrt(2/pi)) * (1 + 0.044715 u^2)); gelu = u / (1 + exp(-2a)).
    private const float MinusTwoScale = -2f * Scale, MinusTwoScaleCubic = -2f * Scale * Cubic;

    private readonly struct ForwardBlocks(float* output, float* input, int length, bool wide) : IParallelBody
    {
        public void Invoke(int block)
        {
            int i = block * Block, end = Math.Min(length, i + Block);
            if (wide && Vector512.IsHardwareAccelerated)
                for (; i <= end - 16; i += 16)
                {
                    var u = Vector512.Load(input + i);
                    var e = Exponential.Of(u * Vector512.FusedMultiplyAdd(u * u, Vector512.Create(MinusTwoScaleCubic), Vector512.Create(MinusTwoScale)));
                    (u / (Vector512<float>.One + e)).Store(output + i);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; i <= end - 8; i += 8)
                {
                    var u = Vector256.Load(input + i);
                    var e = Exponential.Of(u * Vector256.FusedMultiplyAdd(u * u, Vector256.Create(MinusTwoScaleCubic), Vector256.Create(MinusTwoScale)));
                    (u / (Vector256<float>.One + e)).Store(output + i);
                }
            for (; i < end; i++)
            {
                float u = input[i];
                output[i] = u / (1f + MathF.Exp(u * (u * u * MinusTwoScaleCubic + MinusTwoScale)));
            }
        }
    }

    private readonly struct BackwardBlocks(float* dInput, float* dOutput, float* input, int length, bool wide) : IParallelBody
    {
        // gelu'(u) = s + u s^2 e 2 sqrt(2/pi) (1 + 3*0.044715 u^2), using s (1 - s) = s^2 e for s = 1 / (1 + e).
        private const float TwoScale = 2f * Scale, TwoScaleCubic3 = 2f * Scale * 3f * Cubic;

        public void Invoke(int block)
        {
            int i = block * Block, end = Math.Min(length, i + Block);
            if (wide && Vector512.IsHardwareAccelerated)
                for (; i <= end - 16; i += 16)
                {
                    var u = Vector512.Load(input + i);
                    var u2 = u * u;
                    var e = Exponential.Of(u * Vector512.FusedMultiplyAdd(u2, Vector512.Create(MinusTwoScaleCubic), Vector512.Create(MinusTwoScale)));
                    var s = Vector512<float>.One / (Vector512<float>.One + e);
                    var slope = Vector512.FusedMultiplyAdd(u * s * s * e, Vector512.FusedMultiplyAdd(u2, Vector512.Create(TwoScaleCubic3), Vector512.Create(TwoScale)), s);
                    Vector512.FusedMultiplyAdd(slope, Vector512.Load(dOutput + i), Vector512.Load(dInput + i)).Store(dInput + i);
                }
            if (Vector256.IsHardwareAccelerated)
                for (; i <= end - 8; i += 8)
                {
                    var u = Vector256.Load(input + i);
                    var u2 = u * u;
                    var e = Exponential.Of(u * Vector256.FusedMultiplyAdd(u2, Vector256.Create(MinusTwoScaleCubic), Vector256.Create(MinusTwoScale)));
                    var s = Vector256<float>.One / (Vector256<float>.One + e);
                    var slope = Vector256.FusedMultiplyAdd(u * s * s * e, Vector256.FusedMultiplyAdd(u2, Vector256.Create(TwoScaleCubic3), Vector256.Create(TwoScale)), s);
                    Vector256.FusedMultiplyAdd(slope, Vector256.Load(dOutput + i), Vector256.Load(dInput + i)).Store(dInput + i);
                }
            for (; i < end; i++)
            {
                float u = input[i], e = MathF.Exp(u * (u * u * MinusTwoScaleCubic + MinusTwoScale)), s = 1f / (1f + e);
                dInput[i] += (s + u * s * s * e * (u * u * TwoScaleCubic3 + TwoScale)) * dOutput[i];
            }
        }
    }
}
