using System.Numerics.Tensors;

namespace Reasoner.Tensors.Optim;

/// <summary>Global-norm clipping as torch.nn.utils.clip_grad_norm_: one norm over every gradient, one scale for all.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales gradients by min(1, maxNorm / (norm + 1e-6)) where norm = sqrt(sum g^2) over the whole span;
    /// returns the norm before clipping (the number to log).
    /// </summary>
    public static float ClipGlobalNorm(Span<float> gradients, float maxNorm)
    {
        double sumOfSquares = 0;
        const int chunk = 65536; // float partial sums per chunk, accumulated in double: exact enough for millions of gradients
        for (int i = 0; i < gradients.Length; i += chunk)
            sumOfSquares += TensorPrimitives.SumOfSquares(gradients.Slice(i, Math.Min(chunk, gradients.Length - i)));
        float norm = (float)Math.Sqrt(sumOfSquares);
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f) TensorPrimitives.Multiply(gradients, coefficient, gradients);
        return norm;
    }
}
