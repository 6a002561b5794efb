namespace Reasoner.Policy;

/// <summary>
/// Every activation the GPT's forward keeps for its backward, in one arena allocated for a maximum (B,T), as llm.c does.
/// <see cref="Bind"/> packs the buffers for the current (B,T) at the front of the arena, so a smaller batch reuses it and
/// clearing the used part is one span. The same class holds the activation gradients (a second instance).
/// Shapes: per layer Ln1 (B,T,C), Ln1Mean/Ln1Rstd (B,T), Qkv (B,T,3C), AttY (B,T,C), Att (B,H,T,T), AttProj (B,T,C),
/// Residual2 (B,T,C), Ln2 (B,T,C), Ln2Mean/Ln2Rstd (B,T), Fch/FchGelu (B,T,4C), FcProj (B,T,C), Residual3 (B,T,C);
/// once: Encoded (B,T,C), LnF (B,T,C), LnFMean/LnFRstd (B,T), Logits (B,T,V), ValueLogits (B,T), TokenLosses (B,T),
/// LogSumExp (B,T), ValueLosses (B,T), TokenCoefficients (B,T), ValueCoefficients (B,T).
/// </summary>
public sealed class GptActivations
{
    private enum Kind
    {
        Ln1, Ln1Mean, Ln1Rstd, Qkv, AttY, Att, AttProj, Residual2, Ln2, Ln2Mean, Ln2Rstd, Fch, FchGelu, FcProj, Residual3,
        Encoded, LnF, LnFMean, LnFRstd, Logits, ValueLogits, TokenLosses, LogSumExp, ValueLosses, TokenCoefficients, ValueCoefficients,
    }

    private const int LayerKinds = (int)Kind.Residual3 + 1, KindCount = (int)Kind.ValueCoefficients + 1;
    private readonly GptConfig _config;
    private readonly int[] _offsets = new int[KindCount], _sizes = new int[KindCount];
    private int _used;

    public GptActivations(GptConfig config, int maxBatch, int maxTime)
    {
        _config = config;
        if (maxBatch < 1 || maxTime < 1 || maxTime > config.Context)
            throw new ArgumentOutOfRangeException(nameof(maxTime), $"need 1 <= B and 1 <= T <= ctx {config.Context}, got B={maxBatch}, T={maxTime}");
        MaxBatch = maxBatch;
        MaxTime = maxTime;
        long total = Size(maxBatch, maxTime);
        if (total > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(maxBatch), $"activations for B={maxBatch}, T={maxTime} need {total} floats, more than one array holds");
        Data = new float[total];
        Bind(maxBatch, maxTime);
    }

    public float[] Data { get; }
    public int MaxBatch { get; }
    public int MaxTime { get; }
    public int Batch { get; private set; }
    public int Time { get; private set; }

    /// <summary>Lays the buffers out for a batch of (B,T) within the maximum; allocation-free.</summary>
    public void Bind(int batch, int time)
    {
        if (batch < 1 || batch > MaxBatch || time < 1 || time > MaxTime)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch (B={batch}, T={time}) exceeds the preallocated (B={MaxBatch}, T={MaxTime})");
        (Batch, Time) = (batch, time);
        int offset = 0;
        for (int kind = 0; kind < KindCount; kind++)
        {
            _sizes[kind] = batch * time * Width((Kind)kind, time);
            _offsets[kind] = offset;
            offset += _sizes[kind] * (kind < LayerKinds ? _config.Layers : 1);
        }
        _used = offset;
    }

    /// <summary>Zeroes the buffers of the bound (B,T): a gradient instance is cleared before each backward.</summary>
    public void Clear() => Data.AsSpan(0, _used).Clear();

    private long Size(int batch, int time)
    {
        long total = 0;
        for (int kind = 0; kind < KindCount; kind++) total += (long)batch * time * Width((Kind)kind, time) * (kind < LayerKinds ? _config.Layers : 1);
        return total;
    }

    private int Width(Kind kind, int time) => kind switch
    {
        Kind.Qkv => 3 * _config.ModelDim,
        Kind.Fch or Kind.FchGelu => 4 * _config.ModelDim,
        Kind.Att => _config.Heads * time,
        Kind.Logits => _config.Vocab,
        Kind.Ln1 or Kind.AttY or Kind.AttProj or Kind.Residual2 or Kind.Ln2 or Kind.FcProj or Kind.Residual3 or Kind.Encoded or Kind.LnF => _config.ModelDim,
        _ => 1,
    };

    private Span<float> Get(Kind kind, int layer = 0) => Data.AsSpan(_offsets[(int)kind] + layer * _sizes[(int)kind], _sizes[(int)kind]);

    public Span<float> Ln1(int layer) => Get(Kind.Ln1, layer);
    public Span<float> Ln1Mean(int layer) => Get(Kind.Ln1Mean, layer);
    public Span<float> Ln1Rstd(int layer) => Get(Kind.Ln1Rstd, layer);
    public Span<float> Qkv(int layer) => Get(Kind.Qkv, layer);
    public Span<float> AttY(int layer) => Get(Kind.AttY, layer);
    public Span<float> Att(int layer) => Get(Kind.Att, layer);
    public Span<float> AttProj(int layer) => Get(Kind.AttProj, layer);
    public Span<float> Residual2(int layer) => Get(Kind.Residual2, layer);
    public Span<float> Ln2(int layer) => Get(Kind.Ln2, layer);
    public Span<float> Ln2Mean(int layer) => Get(Kind.Ln2Mean, layer);
    public Span<float> Ln2Rstd(int layer) => Get(Kind.Ln2Rstd, layer);
    public Span<float> Fch(int layer) => Get(Kind.Fch, layer);
    public Span<float> FchGelu(int layer) => Get(Kind.FchGelu, layer);
    public Span<float> FcProj(int layer) => Get(Kind.FcProj, layer);
    public Span<float> Residual3(int layer) => Get(Kind.Residual3, layer);
    /// <summary>The residual stream entering block <paramref name="layer"/>: the embeddings, or the previous block's output.</summary>
    public Span<float> BlockInput(int layer) => layer == 0 ? Encoded : Residual3(layer - 1);
    public Span<float> Encoded => Get(Kind.Encoded);
    public Span<float> LnF => Get(Kind.LnF);
    public Span<float> LnFMean => Get(Kind.LnFMean);
    public Span<float> LnFRstd => Get(Kind.LnFRstd);
    public Span<float> Logits => Get(Kind.Logits);
    public Span<float> ValueLogits => Get(Kind.ValueLogits);
    public Span<float> TokenLosses => Get(Kind.TokenLosses);
    public Span<float> LogSumExp => Get(Kind.LogSumExp);
    public Span<float> ValueLosses => Get(Kind.ValueLosses);
    public Span<float> TokenCoefficients => Get(Kind.TokenCoefficients);
    public Span<float> ValueCoefficients => Get(Kind.ValueCoefficients);
}
