using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
    /// <remarks>Two parallel passes: rows for dx, then blocks of columns for dw and db, each column summed over the rows
    /// in order, so the result is the same whatever the thread count (and no thread races another).</remarks>
    public static void Backward(WorkerPool pool, Span<float> dInput, Span<float> dWeight, Span<float> dBias, ReadOnlySpan<float> dOutput,
        ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, int rows, int channels)
    {
        if (dInput.Length < rows * channels || dOutput.Length < rows * channels || input.Length < rows * channels || weight.Length < channels
            || dWeight.Length < channels || dBias.Length < channels || mean.Length < rows || rstd.Length < rows)
            throw new ArgumentException($"layernorm buffers are smaller than (N,C) = ({rows},{channels}), (C) and (N) require");
        fixed (float* dx = dInput, dw = dWeight, db = dBias, dy = dOutput, x = input, w = weight, m = mean, r = rstd)
        {
            var body = new BackwardRows(dx, dy, x, w, m, r, channels);
            pool.For(rows, ref body);
            var columns = new ParameterColumns(dw, db, dy, x, m, r, rows, channels);
            pool.For((channels + ColumnBlock - 1) / ColumnBlock, ref columns);
        }
    }

    private const int ColumnBlock = 64; // columns per task of the dw/db pass: 256 bytes of each row, whole cache lines

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
        // Memory-bound over short rows: Vector256 on every machine, a scalar tail.
        public void Invoke(int n)
        {
            float* dx = dInput + (long)n * c, dy = dOutput + (long)n * c, x = input + (long)n * c;
            float m = mean[n], s = rstd[n];
            float dnormSum = 0, dnormNormSum = 0;
            int i = 0;
            if (Vector256.IsHardwareAccelerated && c >= 8)
            {
                var (mv, sv, sum, normSum) = (Vector256.Create(m), Vector256.Create(s), Vector256<float>.Zero, Vector256<float>.Zero);
                for (; i <= c - 8; i += 8)
                {
                    var dnorm = Vector256.Load(weight + i) * Vector256.Load(dy + i);
                    sum += dnorm;
                    normSum = Vector256.FusedMultiplyAdd(dnorm, (Vector256.Load(x + i) - mv) * sv, normSum);
                }
                (dnormSum, dnormNormSum) = (Vector256.Sum(sum), Vector256.Sum(normSum));
            }
            for (; i < c; i++)
            {
                float dnorm = weight[i] * dy[i];
                dnormSum += dnorm;
                dnormNormSum += dnorm * (x[i] - m) * s;
            }
            float dnormMean = dnormSum / c, dnormNormMean = dnormNormSum / c;
            i = 0;
            if (Vector256.IsHardwareAccelerated && c >= 8)
            {
                var (mv, sv, a, b) = (Vector256.Create(m), Vector256.Create(s), Vector256.Create(dnormMean), Vector256.Create(dnormNormMean));
                for (; i <= c - 8; i += 8)
                {
                    var norm = (Vector256.Load(x + i) - mv) * sv;
                    var dnorm = Vector256.Load(weight + i) * Vector256.Load(dy + i);
                    Vector256.FusedMultiplyAdd(dnorm - a - norm * b, sv, Vector256.Load(dx + i)).Store(dx + i);
                }
            }
            for (; i < c; i++)
            {
                float norm = (x[i] - m) * s, dnorm = weight[i] * dy[i];
                dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s;
            }
        }
    }

    /// <summary>dw[j] += sum_n norm[n,j] dy[n,j] and db[j] += sum_n dy[n,j] for the columns of one block, rows in order.</summary>
    private readonly struct ParameterColumns(float* dWeight, float* dBias, float* dOutput, float* input, float* mean, float* rstd, int rows, int c)
        : IParallelBody
    {
        public void Invoke(int block)
        {
            int j0 = block * ColumnBlock, width = Math.Min(ColumnBlock, c - j0);
            float* dw = dWeight + j0, db = dBias + j0;
            for (int n = 0; n < rows; n++)
            {
                float* dy = dOutput + (long)n * c + j0, x = input + (long)n * c + j0;
                float m = mean[n], s = rstd[n];
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var (mv, sv) = (Vector256.Create(m), Vector256.Create(s));
                    for (; j <= width - 8; j += 8)
                    {
                        var g = Vector256.Load(dy + j);
                        Vector256.FusedMultiplyAdd((Vector256.Load(x + j) - mv) * sv, g, Vector256.Load(dw + j)).Store(dw + j);
                        (Vector256.Load(db + j) + g).Store(db + j);
                    }
                }
                for (; j < width; j++)
                {
                    dw[j] += (x[j] - m) * s * dy[j];
                    db[j] += dy[j];
                }
            }
        }
    }
}
