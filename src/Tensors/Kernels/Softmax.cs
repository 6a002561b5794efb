using System.Numerics.Tensors;

namespace Reasoner.Tensors.Kernels;

/// <summary>The one softmax: attention rows, cross-entropy and sampling all use it.</summary>
public static class Softmax
{
    /// <summary>probs (V) = exp(logits - max) / sum; subtracting the max keeps exp finite. probs may alias logits.</summary>
    public static void Forward(ReadOnlySpan<float> logits, Span<float> probs)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probs);
        TensorPrimitives.Exp(probs, probs);
        TensorPrimitives.Divide(probs, TensorPrimitives.Sum(probs), probs);
    }

    /// <summary>log(sum(exp(logits))), computed stably as max + log(sum(exp(logits - max))).</summary>
    public static float LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float value in logits) sum += MathF.Exp(value - max);
        return max + (float)Math.Log(sum);
    }
}
