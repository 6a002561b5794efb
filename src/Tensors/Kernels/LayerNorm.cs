using System.Numerics.Tensors;

namespace Reasoner.Tensors.Kernels;

/// <summary>LayerNorm over the last dimension with a biased variance, as torch.nn.LayerNorm(eps=1e-5).</summary>
public static unsafe class LayerNorm
{
    public const float Epsilon = 1e-5f;

    /// <summary>output (N,C) = (x - mean) * rstd * weight + bias, with mean (N) and rstd (N) = 1/sqrt(var + eps) kept for backward.</summary>
    public static void Forward(WorkerPool pool, Span<float> output, Span<float> mean, Span<float> rstd, ReadOnlySpan<float> input,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int rows, int channels)
    {
        fixed (float* o = output, m = mean, r = rstd, x = input, w = weight, b = bias)
        {
            var body = new ForwardRows(o, m, r, x, w, b, channels);
            pool.For(rows, ref body);
        }
    }

    /// <summary>
    /// With norm = (x - mean) * rstd and out = norm * w + b:
    /// dx += rstd * (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) where dnorm = dout * w;
    /// dw += sum over rows of norm * dout; db += sum over rows of dout.
    /// </summary>
    public static void Backward(WorkerPool pool, Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int rows, int channels)
    {
        fixed (float* dx = dInput, dy = dOutput, x = input, w = weight, m = mean, r = rstd)
        {
            var body = new BackwardRows(dx, dy, x, w, m, r, channels);
            pool.For(rows, ref body);
        }
        // The parameter gradients sum over rows: done here, serially, rather than racing between rows.
        Span<float> norm = channels <= 4096 ? stackalloc float[channels] : new float[channels]; // 16 KB of stack at most
        for (int n = 0; n < rows; n++)
        {
            var dout = dOutput.Slice(n * channels, channels);
            TensorPrimitives.Subtract(input.Slice(n * channels, channels), mean[n], norm);
            TensorPrimitives.Multiply(norm, rstd[n], norm);
            TensorPrimitives.MultiplyAdd(norm, dout, dWeight, dWeight);
            TensorPrimitives.Add(dBias, dout, dBias);
        }
    }

    private readonly struct ForwardRows(float* output, float* mean, float* rstd, float* input, float* weight, float* bias, int c) : IParallelBody
    {
        public void Invoke(int n)
        {
            var x = new ReadOnlySpan<float>(input + (long)n * c, c);
            var y = new Span<float>(output + (long)n * c, c);
            float m = TensorPrimitives.Sum(x) / c;
            TensorPrimitives.Subtract(x, m, y);
            float variance = TensorPrimitives.SumOfSquares(y) / c;
            float s = 1f / MathF.Sqrt(variance + Epsilon);
            TensorPrimitives.Multiply(y, s, y);
            TensorPrimitives.FusedMultiplyAdd(y, new ReadOnlySpan<float>(weight, c), new ReadOnlySpan<float>(bias, c), y);
            mean[n] = m;
            rstd[n] = s;
        }
    }

    private readonly struct BackwardRows(float* dInput, float* dOutput, float* input, float* weight, float* mean, float* rstd, int c) : IParallelBody
    {
        public void Invoke(int n)
        {
            float* dx = dInput + (long)n * c, dy = dOutput + (long)n * c, x = input + (long)n * c;
            float m = mean[n], s = rstd[n];
            float dnormMean = 0, dnormNormMean = 0;
            for (int i = 0; i < c; i++)
            {
                float norm = (x[i] - m) * s, dnorm = weight[i] * dy[i];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= c;
            dnormNormMean /= c;
            for (int i = 0; i < c; i++)
            {
                float norm = (x[i] - m) * s, dnorm = weight[i] * dy[i];
                dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s;
            }
        }
    }
}
