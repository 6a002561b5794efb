using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy;

/// <summary>
/// The GPT policy with a scalar value head: parameters in one arena (<see cref="GptLayout"/>), and the forward and
/// backward of the whole model as calls to the kernels, llm.c's gpt2_forward / gpt2_backward.
/// x = wte[idx] + wpe[pos]; per block x += attn(ln_1(x)); x += mlp(ln_2(x)); logits = ln_f(x) wte^T (weight-tied);
/// value logit = ln_f(x) . value_head.weight + value_head.bias, value = sigmoid(value logit), at every position.
/// </summary>
public sealed class Gpt
{
    public Gpt(GptConfig config)
    {
        Config = config.Validated();
        Layout = new GptLayout(config);
        Parameters = new float[Layout.Count];
    }

    public GptConfig Config { get; }
    public GptLayout Layout { get; }
    /// <summary>All parameters, laid out by <see cref="Layout"/>. Code that writes them once a decoder has run on the
    /// model calls <see cref="ParametersChanged"/> (the trainer does after each step), so the decoders' packed copy of
    /// the weights is made again.</summary>
    public float[] Parameters { get; }

    private readonly Lock _packing = new();
    private PackedBlockWeights? _packed;
    private int _version;

    /// <summary>Says that <see cref="Parameters"/> were written: the next decode step packs the weights again.</summary>
    public void ParametersChanged() => Interlocked.Increment(ref _version);

    /// <summary>
    /// The weight matrices packed for the product kernels, as of the last <see cref="ParametersChanged"/>: decoders
    /// multiply a few rows at a time, and packing the weights on every call cost more than the product (made on first
    /// use, shared by every decoder of the model).
    /// </summary>
    internal PackedBlockWeights Packed(WorkerPool pool)
    {
        lock (_packing)
        {
            int version = Volatile.Read(ref _version);
            if (_packed is null || _packed.Version != version) _packed = new PackedBlockWeights(this, pool, version);
            return _packed;
        }
    }

    /// <summary>A model of the same shape with a copy of these parameters (training one leaves the other as it was).</summary>
    public Gpt Clone()
    {
        var copy = new Gpt(Config);
        Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }

    /// <summary>GPT-2's init as torch_ref.py does it: weights and embeddings N(0, 0.02), biases 0, LayerNorm gains 1.</summary>
    public static Gpt CreateRandom(GptConfig config, int seed)
    {
        var model = new Gpt(config);
        var random = new Random(seed);
        foreach (var view in model.Layout.Tensors)
        {
            var data = view.Of(model.Parameters);
            if (view.Name.Contains("ln_", StringComparison.Ordinal) && view.Name.EndsWith(".weight", StringComparison.Ordinal)) data.Fill(1f);
            else if (view.Shape.Length == 2)
                for (int i = 0; i < data.Length; i++) data[i] = 0.02f * Gaussian(random);
        }
        return model;
    }

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble(); // Box-Muller; u1 in (0,1] keeps the log finite
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Forward of tokens (B,T) into <paramref name="acts"/>, which it binds to (B,T): fills Logits (B,T,V) and ValueLogits (B,T).</summary>
    public void Forward(WorkerPool pool, GptActivations acts, ReadOnlySpan<int> tokens, int batch, int time)
    {
        acts.Bind(batch, time);
        int n = batch * time, c = Config.ModelDim, heads = Config.Heads;
        var p = Parameters;
        Encoder.Forward(acts.Encoded, tokens.Slice(0, n), Layout.Wte.Of(p), Layout.Wpe.Of(p), batch, time, c);
        for (int l = 0; l < Config.Layers; l++)
        {
            var w = Layout.Blocks[l];
            LayerNorm.Forward(pool, acts.Ln1(l), acts.Ln1Mean(l), acts.Ln1Rstd(l), acts.BlockInput(l), w.Ln1Weight.Of(p), w.Ln1Bias.Of(p), n, c);
            Matmul.Forward(pool, acts.Qkv(l), acts.Ln1(l), w.AttnWeight.Of(p), w.AttnBias.Of(p), n, c, 3 * c);
            Attention.Forward(pool, acts.AttY(l), acts.Att(l), acts.Qkv(l), batch, time, c, heads);
            Matmul.Forward(pool, acts.AttProj(l), acts.AttY(l), w.AttnProjWeight.Of(p), w.AttnProjBias.Of(p), n, c, c);
            Residual.Forward(acts.Residual2(l), acts.BlockInput(l), acts.AttProj(l));
            LayerNorm.Forward(pool, acts.Ln2(l), acts.Ln2Mean(l), acts.Ln2Rstd(l), acts.Residual2(l), w.Ln2Weight.Of(p), w.Ln2Bias.Of(p), n, c);
            Matmul.Forward(pool, acts.Fch(l), acts.Ln2(l), w.FcWeight.Of(p), w.FcBias.Of(p), n, c, 4 * c);
            Gelu.Forward(pool, acts.FchGelu(l), acts.Fch(l));
            Matmul.Forward(pool, acts.FcProj(l), acts.FchGelu(l), w.FcProjWeight.Of(p), w.FcProjBias.Of(p), n, 4 * c, c);
            Residual.Forward(acts.Residual3(l), acts.Residual2(l), acts.FcProj(l));
        }
        LayerNorm.Forward(pool, acts.LnF, acts.LnFMean, acts.LnFRstd, acts.BlockInput(Config.Layers), Layout.LnFWeight.Of(p), Layout.LnFBias.Of(p), n, c);
        Matmul.Forward(pool, acts.Logits, acts.LnF, Layout.Wte.Of(p), default, n, c, Config.Vocab);
        Matmul.Forward(pool, acts.ValueLogits, acts.LnF, Layout.ValueWeight.Of(p), Layout.ValueBias.Of(p), n, c, 1);
    }

    /// <summary>
    /// Backward of the last <see cref="Forward"/>: <paramref name="grads"/> (bound to the same (B,T), zero except its
    /// Logits and ValueLogits, the loss gradients) is filled with activation gradients, and parameter gradients are
    /// ADDED into <paramref name="dParameters"/> (laid out by <see cref="Layout"/>).
    /// </summary>
    public void Backward(WorkerPool pool, GptActivations acts, GptActivations grads, float[] dParameters, ReadOnlySpan<int> tokens)
    {
        int batch = acts.Batch, time = acts.Time, n = batch * time, c = Config.ModelDim, heads = Config.Heads;
        if (grads.Batch != batch || grads.Time != time) throw new ArgumentException("gradients are bound to a different (B,T) than the activations");
        var (p, dp) = (Parameters, dParameters);
        Matmul.Backward(pool, grads.LnF, Layout.ValueWeight.Of(dp), Layout.ValueBias.Of(dp), grads.ValueLogits, acts.LnF, Layout.ValueWeight.Of(p), n, c, 1);
        Matmul.Backward(pool, grads.LnF, Layout.Wte.Of(dp), default, grads.Logits, acts.LnF, Layout.Wte.Of(p), n, c, Config.Vocab);
        LayerNorm.Backward(pool, grads.BlockInput(Config.Layers), Layout.LnFWeight.Of(dp), Layout.LnFBias.Of(dp), grads.LnF,
            acts.BlockInput(Config.Layers), Layout.LnFWeight.Of(p), acts.LnFMean, acts.LnFRstd, n, c);
        for (int l = Config.Layers - 1; l >= 0; l--)
        {
            var w = Layout.Blocks[l]; // the same views index the parameter gradients
            // residual3 = residual2 + fcproj
            Residual.Backward(grads.Residual2(l), grads.FcProj(l), grads.Residual3(l));
            Matmul.Backward(pool, grads.FchGelu(l), w.FcProjWeight.Of(dp), w.FcProjBias.Of(dp), grads.FcProj(l), acts.FchGelu(l), w.FcProjWeight.Of(p), n, 4 * c, c);
            Gelu.Backward(pool, grads.Fch(l), grads.FchGelu(l), acts.Fch(l));
            Matmul.Backward(pool, grads.Ln2(l), w.FcWeight.Of(dp), w.FcBias.Of(dp), grads.Fch(l), acts.Ln2(l), w.FcWeight.Of(p), n, c, 4 * c);
            LayerNorm.Backward(pool, grads.Residual2(l), w.Ln2Weight.Of(dp), w.Ln2Bias.Of(dp), grads.Ln2(l), acts.Residual2(l), w.Ln2Weight.Of(p),
                acts.Ln2Mean(l), acts.Ln2Rstd(l), n, c);
            // residual2 = block input + attproj
            Residual.Backward(grads.BlockInput(l), grads.AttProj(l), grads.Residual2(l));
            Matmul.Backward(pool, grads.AttY(l), w.AttnProjWeight.Of(dp), w.AttnProjBias.Of(dp), grads.AttProj(l), acts.AttY(l), w.AttnProjWeight.Of(p), n, c, c);
            Attention.Backward(pool, grads.Qkv(l), grads.Att(l), grads.AttY(l), acts.Qkv(l), acts.Att(l), batch, time, c, heads);
            Matmul.Backward(pool, grads.Ln1(l), w.AttnWeight.Of(dp), w.AttnBias.Of(dp), grads.Qkv(l), acts.Ln1(l), w.AttnWeight.Of(p), n, c, 3 * c);
            LayerNorm.Backward(pool, grads.BlockInput(l), w.Ln1Weight.Of(dp), w.Ln1Bias.Of(dp), grads.Ln1(l), acts.BlockInput(l), w.Ln1Weight.Of(p),
                acts.Ln1Mean(l), acts.Ln1Rstd(l), n, c);
        }
        Encoder.Backward(Layout.Wte.Of(dp), Layout.Wpe.Of(dp), grads.Encoded, tokens.Slice(0, n), batch, time, c);
    }
}

/// <summary>Every block's four weight matrices and the weight-tied head, packed (<see cref="PackedWeight"/>) as of one
/// version of the parameters.</summary>
internal sealed class PackedBlockWeights
{
    public PackedBlockWeights(Gpt model, WorkerPool pool, int version)
    {
        Version = version;
        var (p, c, layout) = (model.Parameters, model.Config.ModelDim, model.Layout);
        Blocks = layout.Blocks.Select(w => (
            Attn: new PackedWeight(pool, w.AttnWeight.Of(p), c, 3 * c),
            AttnProj: new PackedWeight(pool, w.AttnProjWeight.Of(p), c, c),
            Fc: new PackedWeight(pool, w.FcWeight.Of(p), c, 4 * c),
            FcProj: new PackedWeight(pool, w.FcProjWeight.Of(p), 4 * c, c))).ToArray();
        Head = new PackedWeight(pool, layout.Wte.Of(p), c, model.Config.Vocab);
    }

    public int Version { get; }
    public (PackedWeight Attn, PackedWeight AttnProj, PackedWeight Fc, PackedWeight FcProj)[] Blocks { get; }
    public PackedWeight Head { get; }
}
