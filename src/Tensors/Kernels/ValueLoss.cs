namespace Reasoner.Tensors.Kernels;

/// <summary>How a value prediction sigmoid(z) is scored against a target y in [0,1].</summary>
public enum ValueLossKind
{
    /// <summary>(sigmoid(z) - y)^2.</summary>
    MeanSquared,
    /// <summary>-y log sigmoid(z) - (1-y) log(1 - sigmoid(z)), computed on the logit z.</summary>
    BinaryCrossEntropy,
}

/// <summary>Losses of the scalar value head on its logits z (value = sigmoid(z)).</summary>
public static class ValueLoss
{
    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    /// <summary>losses (N) from logits (N) and targets (N). BCE uses max(z,0) - z y + log(1 + exp(-|z|)), finite for any z.</summary>
    public static void Forward(ValueLossKind kind, Span<float> losses, ReadOnlySpan<float> logits, ReadOnlySpan<float> targets)
    {
        for (int n = 0; n < losses.Length; n++)
        {
            float z = logits[n], y = targets[n];
            losses[n] = kind == ValueLossKind.MeanSquared
                ? (Sigmoid(z) - y) * (Sigmoid(z) - y)
                : MathF.Max(z, 0) - z * y + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));
        }
    }

    /// <summary>dLogits_n += coefficients_n * dloss/dz: MSE 2 (v - y) v (1 - v) with v = sigmoid(z); BCE v - y.</summary>
    public static void Backward(ValueLossKind kind, Span<float> dLogits, ReadOnlySpan<float> coefficients, ReadOnlySpan<float> logits, ReadOnlySpan<float> targets)
    {
        for (int n = 0; n < dLogits.Length; n++)
        {
            if (coefficients[n] == 0) continue;
            float v = Sigmoid(logits[n]), y = targets[n];
            float local = kind == ValueLossKind.MeanSquared ? 2f * (v - y) * v * (1f - v) : v - y;
            dLogits[n] += coefficients[n] * local;
        }
    }
}
