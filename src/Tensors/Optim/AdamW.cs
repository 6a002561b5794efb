using System.Runtime.Intrinsics;

namespace Reasoner.Tensors.Optim;

/// <summary>AdamW hyperparameters; the defaults are torch.optim.AdamW's except weight decay, 0.1 as in GPT training.</summary>
public sealed record AdamWConfig(float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f, float WeightDecay = 0.1f);

/// <summary>
/// AdamW (Loshchilov and Hutter 2019) with decoupled weight decay and bias correction, the same update as
/// torch.optim.AdamW: p -= lr*wd*p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), t the 1-based step.
/// </summary>
public static unsafe class AdamW
{
    private const int Block = 16384;

    /// <summary>One update of parameters (P) from gradients (P), moments m (P) and v (P) in place. weightDecay 0 skips decay (biases, norms).</summary>
    public static void Step(WorkerPool pool, Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v,
        int step, float learningRate, AdamWConfig config, float weightDecay)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "AdamW steps count from 1");
        if (gradients.Length != parameters.Length || m.Length != parameters.Length || v.Length != parameters.Length)
            throw new ArgumentException("parameters, gradients and both moments must have the same length");
        float correction1 = 1f - MathF.Pow(config.Beta1, step), correction2 = 1f - MathF.Pow(config.Beta2, step);
        fixed (float* p = parameters, g = gradients, mp = m, vp = v)
        {
            var body = new Blocks(p, g, mp, vp, parameters.Length, learningRate, weightDecay, config.Beta1, config.Beta2, config.Epsilon,
                correction1, correction2);
            pool.For((parameters.Length + Block - 1) / Block, ref body);
        }
    }

    private readonly struct Blocks(float* p, float* g, float* m, float* v, int length, float lr, float wd, float beta1, float beta2,
        float eps, float correction1, float correction2) : IParallelBody
    {
        // Memory-bound (7 floats moved per parameter), so Vector256 serves every machine; the scalar loop is the spec.
        public void Invoke(int block)
        {
            int i = block * Block, end = Math.Min(length, i + Block);
            float decay = 1 - lr * wd, step = lr / correction1, rootCorrection2 = 1f / MathF.Sqrt(correction2);
            if (Vector256.IsHardwareAccelerated)
            {
                var (b1, b2, c1, c2) = (Vector256.Create(beta1), Vector256.Create(beta2), Vector256.Create(1 - beta1), Vector256.Create(1 - beta2));
                var (d, s, r, e) = (Vector256.Create(decay), Vector256.Create(step), Vector256.Create(rootCorrection2), Vector256.Create(eps));
                for (; i <= end - 8; i += 8)
                {
                    var grad = Vector256.Load(g + i);
                    var mi = b1 * Vector256.Load(m + i) + c1 * grad;
                    var vi = b2 * Vector256.Load(v + i) + c2 * grad * grad;
                    mi.Store(m + i);
                    vi.Store(v + i);
                    (Vector256.Load(p + i) * d - s * mi / (Vector256.Sqrt(vi) * r + e)).Store(p + i);
                }
            }
            for (; i < end; i++)
            {
                float grad = g[i];
                float mi = beta1 * m[i] + (1 - beta1) * grad, vi = beta2 * v[i] + (1 - beta2) * grad * grad;
                m[i] = mi;
                v[i] = vi;
                p[i] = p[i] * decay - step * mi / (MathF.Sqrt(vi) * rootCorrection2 + eps);
            }
        }
    }
}
