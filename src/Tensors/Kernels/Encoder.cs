using System.Numerics.Tensors;

namespace Reasoner.Tensors.Kernels;

/// <summary>Token plus position embedding: the first layer of the GPT.</summary>
public static class Encoder
{
    /// <summary>output (B,T,C) = wte[tokens[b,t]] + wpe[t]. tokens (B,T), wte (V,C), wpe (maxT,C).</summary>
    public static void Forward(Span<float> output, ReadOnlySpan<int> tokens, ReadOnlySpan<float> wte, ReadOnlySpan<float> wpe,
        int batch, int time, int channels)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++)
            {
                int n = b * time + t;
                Row(output.Slice(n * channels, channels), tokens[n], t, wte, wpe, channels);
            }
    }

    /// <summary>output (N,C) = wte[tokens[n]] + wpe[positions[n]]: rows at arbitrary positions, as decoding needs.</summary>
    public static void ForwardAt(Span<float> output, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, ReadOnlySpan<float> wte,
        ReadOnlySpan<float> wpe, int rows, int channels)
    {
        for (int n = 0; n < rows; n++) Row(output.Slice(n * channels, channels), tokens[n], positions[n], wte, wpe, channels);
    }

    private static void Row(Span<float> output, int token, int position, ReadOnlySpan<float> wte, ReadOnlySpan<float> wpe, int channels)
    {
        int vocab = wte.Length / channels, context = wpe.Length / channels;
        if ((uint)token >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(token), token, $"token {token} is outside the vocabulary [0, {vocab})");
        if ((uint)position >= (uint)context) throw new ArgumentOutOfRangeException(nameof(position), position, $"position {position} is outside the context [0, {context})");
        TensorPrimitives.Add(wte.Slice(token * channels, channels), wpe.Slice(position * channels, channels), output);
    }

    /// <summary>Forward is output = wte[token] + wpe[t], so dwte[token] += dout and dwpe[t] += dout.
    /// Serial: rows sharing a token would race, and this is O(N*C), negligible beside the matmuls.</summary>
    public static void Backward(Span<float> dWte, Span<float> dWpe, ReadOnlySpan<float> dOutput, ReadOnlySpan<int> tokens,
        int batch, int time, int channels)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++)
            {
                int n = b * time + t;
                var dout = dOutput.Slice(n * channels, channels);
                var dwte = dWte.Slice(tokens[n] * channels, channels);
                var dwpe = dWpe.Slice(t * channels, channels);
                TensorPrimitives.Add(dwte, dout, dwte);
                TensorPrimitives.Add(dwpe, dout, dwpe);
            }
    }
}
