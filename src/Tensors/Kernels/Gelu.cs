using System.Numerics.Tensors;

namespace Reasoner.Tensors.Kernels;

/// <summary>GELU, tanh form (torch's approximate="tanh"): 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))).</summary>
public static unsafe class Gelu
{
    private const float Scale = 0.7978845608028654f; // sqrt(2/pi)
    private const int Block = 4096;                   // elements per parallel task: enough work to amortise the hand-off

    /// <summary>output (N) = gelu(input (N)).</summary>
    public static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input)
    {
        fixed (float* o = output, x = input)
        {
            var body = new ForwardBlocks(o, x, input.Length);
            pool.For((input.Length + Block - 1) / Block, ref body);
        }
    }

    /// <summary>dInput += dOutput * gelu'(input), with gelu'(u) = 0.5 (1 + tanh(a)) + 0.5 u sech^2(a) sqrt(2/pi) (1 + 3*0.044715 u^2).</summary>
    public static void Backward(WorkerPool pool, Span<float> dInput, ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input)
    {
        fixed (float* dx = dInput, dy = dOutput, x = input)
        {
            var body = new BackwardBlocks(dx, dy, x, input.Length);
            pool.For((input.Length + Block - 1) / Block, ref body);
        }
    }

    private const int Chunk = 256; // elements per vectorised pass: the tanh scratch lives on the stack

    /// <summary>tanh(sqrt(2/pi) (u + 0.044715 u^3)) of a chunk, with TensorPrimitives.Tanh (scalar MathF.Tanh is ~7x slower).</summary>
    private static void InnerTanh(ReadOnlySpan<float> u, Span<float> result)
    {
        TensorPrimitives.Multiply(u, u, result);
        TensorPrimitives.Multiply(result, u, result);
        TensorPrimitives.MultiplyAdd(result, 0.044715f, u, result);
        TensorPrimitives.Multiply(result, Scale, result);
        TensorPrimitives.Tanh(result, result);
    }

    private readonly struct ForwardBlocks(float* output, float* input, int length) : IParallelBody
    {
        public void Invoke(int block)
        {
            int end = Math.Min(length, (block + 1) * Block);
            for (int start = block * Block; start < end; start += Chunk)
            {
                int n = Math.Min(Chunk, end - start);
                var u = new ReadOnlySpan<float>(input + start, n);
                var y = new Span<float>(output + start, n);
                InnerTanh(u, y);
                TensorPrimitives.Add(y, 1f, y);
                TensorPrimitives.Multiply(y, u, y);
                TensorPrimitives.Multiply(y, 0.5f, y);
            }
        }
    }

    private readonly struct BackwardBlocks(float* dInput, float* dOutput, float* input, int length) : IParallelBody
    {
        public void Invoke(int block)
        {
            int end = Math.Min(length, (block + 1) * Block);
            Span<float> tanh = stackalloc float[Chunk];
            for (int start = block * Block; start < end; start += Chunk)
            {
                int n = Math.Min(Chunk, end - start);
                InnerTanh(new ReadOnlySpan<float>(input + start, n), tanh.Slice(0, n));
                for (int i = 0; i < n; i++)
                {
                    float u = input[start + i], th = tanh[i];
                    float local = 0.5f * (1f + th) + 0.5f * u * (1f - th * th) * Scale * (1f + 3f * 0.044715f * u * u);
                    dInput[start + i] += local * dOutput[start + i];
                }
            }
        }
    }
}
