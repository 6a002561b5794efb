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

    private readonly struct ForwardBlocks(float* output, float* input, int length) : IParallelBody
    {
        public void Invoke(int block)
        {
            int end = Math.Min(length, (block + 1) * Block);
            for (int i = block * Block; i < end; i++)
            {
                float u = input[i];
                output[i] = 0.5f * u * (1f + MathF.Tanh(Scale * (u + 0.044715f * u * u * u)));
            }
        }
    }

    private readonly struct BackwardBlocks(float* dInput, float* dOutput, float* input, int length) : IParallelBody
    {
        public void Invoke(int block)
        {
            int end = Math.Min(length, (block + 1) * Block);
            for (int i = block * Block; i < end; i++)
            {
                float u = input[i];
                float tanh = MathF.Tanh(Scale * (u + 0.044715f * u * u * u));
                float sech2 = 1f - tanh * tanh;
                float local = 0.5f * (1f + tanh) + 0.5f * u * sech2 * Scale * (1f + 3f * 0.044715f * u * u);
                dInput[i] += local * dOutput[i];
            }
        }
    }
}
