namespace Reasoner.Policy;

/// <summary>A named slice of a flat arena: the same layout indexes parameters, gradients and both AdamW moments.</summary>
public readonly record struct TensorView(string Name, int Offset, int[] Shape)
{
    public int Length { get; } = Shape.Aggregate(1, (a, b) => a * b);
    public Span<float> Of(float[] arena) => arena.AsSpan(Offset, Length);
    /// <summary>Matrices and embeddings decay; biases, LayerNorm gains and the value bias do not (nanoGPT's split).</summary>
    public bool Decays => Shape.Length == 2 && !Name.EndsWith(".bias", StringComparison.Ordinal);
}

/// <summary>The parameter views of one transformer block.</summary>
public sealed record BlockViews(TensorView Ln1Weight, TensorView Ln1Bias, TensorView AttnWeight, TensorView AttnBias,
    TensorView AttnProjWeight, TensorView AttnProjBias, TensorView Ln2Weight, TensorView Ln2Bias,
    TensorView FcWeight, TensorView FcBias, TensorView FcProjWeight, TensorView FcProjBias);

/// <summary>
/// Where every parameter lives in the one parameter arena, in the checkpoint's file order (torch_ref.py's):
/// wte [V,d], wpe [ctx,d], per block ln_1, attn.c_attn (rows q|k|v), attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj, then ln_f,
/// then Reasoner's value head value_head.weight [1,d], value_head.bias [1].
/// </summary>
public sealed class GptLayout
{
    private readonly List<TensorView> _tensors = [];

    public GptLayout(GptConfig config)
    {
        int d = config.ModelDim;
        Wte = Add("wte", config.Vocab, d);
        Wpe = Add("wpe", config.Context, d);
        Blocks = new BlockViews[config.Layers];
        for (int i = 0; i < config.Layers; i++)
        {
            string p = $"h.{i}.";
            Blocks[i] = new BlockViews(
                Add(p + "ln_1.weight", d), Add(p + "ln_1.bias", d),
                Add(p + "attn.c_attn.weight", 3 * d, d), Add(p + "attn.c_attn.bias", 3 * d),
                Add(p + "attn.c_proj.weight", d, d), Add(p + "attn.c_proj.bias", d),
                Add(p + "ln_2.weight", d), Add(p + "ln_2.bias", d),
                Add(p + "mlp.c_fc.weight", 4 * d, d), Add(p + "mlp.c_fc.bias", 4 * d),
                Add(p + "mlp.c_proj.weight", d, 4 * d), Add(p + "mlp.c_proj.bias", d));
        }
        LnFWeight = Add("ln_f.weight", d);
        LnFBias = Add("ln_f.bias", d);
        ValueWeight = Add("value_head.weight", 1, d);
        ValueBias = Add("value_head.bias", 1);
    }

    public TensorView Wte { get; }
    public TensorView Wpe { get; }
    public BlockViews[] Blocks { get; }
    public TensorView LnFWeight { get; }
    public TensorView LnFBias { get; }
    public TensorView ValueWeight { get; }
    public TensorView ValueBias { get; }

    /// <summary>Every tensor in file order.</summary>
    public IReadOnlyList<TensorView> Tensors => _tensors;

    /// <summary>Total parameters, the arena's length.</summary>
    public int Count { get; private set; }

    private TensorView Add(string name, params int[] shape)
    {
        var view = new TensorView(name, Count, shape);
        Count = checked(Count + view.Length);
        _tensors.Add(view);
        return view;
    }
}
