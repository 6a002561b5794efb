using Reasoner.Tensors.Tests;

namespace Reasoner.Policy.Tests;

/// <summary>The whole GPT in double precision, naive loops over the same parameter layout: the spec for gradient checks.</summary>
internal static class ReferenceGpt
{
    /// <summary>Logits (B,T,V) and value logits (B,T) of tokens (B,T).</summary>
    public static (double[] Logits, double[] ValueLogits) Forward(GptConfig config, GptLayout layout, double[] p, int[] tokens, int batch, int time)
    {
        int c = config.ModelDim, n = batch * time, v = config.Vocab;
        double[] Slice(TensorView view) => p.AsSpan(view.Offset, view.Length).ToArray();
        var x = new double[n * c];
        for (int row = 0; row < n; row++)
            for (int i = 0; i < c; i++) x[row * c + i] = p[layout.Wte.Offset + tokens[row] * c + i] + p[layout.Wpe.Offset + row % time * c + i];
        foreach (var w in layout.Blocks)
        {
            var h = Reference.LayerNorm(x, Slice(w.Ln1Weight), Slice(w.Ln1Bias), n, c);
            var qkv = Linear(h, Slice(w.AttnWeight), Slice(w.AttnBias), n, c, 3 * c);
            var y = Linear(Reference.Attention(qkv, batch, time, c, config.Heads), Slice(w.AttnProjWeight), Slice(w.AttnProjBias), n, c, c);
            for (int i = 0; i < x.Length; i++) x[i] += y[i];
            h = Reference.LayerNorm(x, Slice(w.Ln2Weight), Slice(w.Ln2Bias), n, c);
            var fc = Linear(h, Slice(w.FcWeight), Slice(w.FcBias), n, c, 4 * c).Select(Reference.Gelu).ToArray();
            y = Linear(fc, Slice(w.FcProjWeight), Slice(w.FcProjBias), n, 4 * c, c);
            for (int i = 0; i < x.Length; i++) x[i] += y[i];
        }
        var final = Reference.LayerNorm(x, Slice(layout.LnFWeight), Slice(layout.LnFBias), n, c);
        return (Linear(final, Slice(layout.Wte), new double[v], n, c, v), Linear(final, Slice(layout.ValueWeight), Slice(layout.ValueBias), n, c, 1));
    }

    public static double[] Linear(double[] x, double[] w, double[] b, int rows, int c, int oc)
    {
        var y = new double[rows * oc];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < oc; o++)
            {
                double sum = b[o];
                for (int i = 0; i < c; i++) sum += x[r * c + i] * w[o * c + i];
                y[r * oc + o] = sum;
            }
        return y;
    }
}
