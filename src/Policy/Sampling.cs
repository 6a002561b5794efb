using System.Numerics.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy;

/// <summary>
/// How the next token is drawn: Temperature 0 is greedy (argmax); otherwise softmax(logits / Temperature), restricted to
/// the TopK most likely tokens (0: no limit) and then to the smallest set whose probability reaches TopP (1: no limit).
/// </summary>
public sealed record SamplingConfig(float Temperature = 1f, int TopK = 0, float TopP = 1f)
{
    public static SamplingConfig Greedy { get; } = new(Temperature: 0f);
}

/// <summary>Draws tokens from logits with preallocated scratch (V), so sampling allocates nothing. Not thread-safe.</summary>
public sealed class Sampler(int vocab)
{
    private readonly float[] _probs = new float[vocab], _sortKeys = new float[vocab];
    private readonly int[] _order = new int[vocab];

    /// <summary>A token drawn from <paramref name="logits"/> (V); <paramref name="random"/> is consumed only when sampling.</summary>
    public int Sample(ReadOnlySpan<float> logits, SamplingConfig config, Random random)
    {
        if (config.Temperature <= 0) return TensorPrimitives.IndexOfMax(logits);
        var probs = _probs.AsSpan(0, logits.Length);
        TensorPrimitives.Divide(logits, config.Temperature, probs);
        Softmax.Forward(probs, probs);
        if (config.TopK <= 0 && config.TopP >= 1) return Draw(probs, random);

        // Most likely first: sort descending probabilities (negated keys) carrying the token ids along.
        var keys = _sortKeys.AsSpan(0, probs.Length);
        var order = _order.AsSpan(0, probs.Length);
        TensorPrimitives.Negate(probs, keys);
        for (int i = 0; i < order.Length; i++) order[i] = i;
        keys.Sort(order);
        int keep = config.TopK > 0 ? Math.Min(config.TopK, order.Length) : order.Length;
        float cumulative = 0;
        for (int i = 0; i < keep; i++)
        {
            cumulative += probs[order[i]];
            if (cumulative >= config.TopP) { keep = i + 1; break; }
        }
        float kept = 0;
        for (int i = 0; i < keep; i++) kept += probs[order[i]];
        float u = (float)random.NextDouble() * kept;
        for (int i = 0; i < keep; i++)
        {
            u -= probs[order[i]];
            if (u < 0) return order[i];
        }
        return order[keep - 1];
    }

    private static int Draw(ReadOnlySpan<float> probs, Random random)
    {
        float u = (float)random.NextDouble();
        for (int i = 0; i < probs.Length; i++)
        {
            u -= probs[i];
            if (u < 0) return i;
        }
        return TensorPrimitives.IndexOfMax(probs); // rounding left u >= 0: the last bit of mass goes to the likeliest token
    }
}
