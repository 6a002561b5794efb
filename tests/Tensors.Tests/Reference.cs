namespace Reasoner.Tensors.Tests;

/// <summary>Naive double-precision forwards of every layer: the specification the float kernels are checked against.</summary>
internal static class Reference
{
    public static double[] LayerNorm(double[] x, double[] w, double[] b, int rows, int c)
    {
        var y = new double[rows * c];
        for (int n = 0; n < rows; n++)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < c; i++) mean += x[n * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) variance += (x[n * c + i] - mean) * (x[n * c + i] - mean);
            variance /= c;
            double rstd = 1 / Math.Sqrt(variance + 1e-5);
            for (int i = 0; i < c; i++) y[n * c + i] = (x[n * c + i] - mean) * rstd * w[i] + b[i];
        }
        return y;
    }

    public static double Gelu(double u) => 0.5 * u * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));

    /// <summary>Causal multi-head attention on qkv (B,T,3C) -> (B,T,C), written the way the docstring of torch_ref.py says.</summary>
    public static double[] Attention(double[] qkv, int batch, int time, int c, int heads)
    {
        int hs = c / heads;
        var y = new double[batch * time * c];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int t = 0; t < time; t++)
                {
                    var scores = new double[t + 1];
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        double dot = 0;
                        for (int i = 0; i < hs; i++) dot += qkv[(b * time + t) * 3 * c + h * hs + i] * qkv[(b * time + t2) * 3 * c + c + h * hs + i];
                        scores[t2] = dot / Math.Sqrt(hs);
                    }
                    var probs = Softmax(scores);
                    for (int i = 0; i < hs; i++)
                    {
                        double sum = 0;
                        for (int t2 = 0; t2 <= t; t2++) sum += probs[t2] * qkv[(b * time + t2) * 3 * c + 2 * c + h * hs + i];
                        y[(b * time + t) * c + h * hs + i] = sum;
                    }
                }
        return y;
    }

    /// <summary>
    /// The gradient of sum(Attention(qkv) * dOut) in qkv, from the chain rule written out per head:
    /// dv_t2 = sum_t p[t,t2] dout_t; dp[t,t2] = dout_t . v_t2; dpre = p (dp - sum_t2 p dp); dq_t = sum_t2 dpre k_t2 / sqrt(hs);
    /// dk_t2 = sum_t dpre[t,t2] q_t / sqrt(hs).
    /// </summary>
    public static double[] AttentionBackward(double[] qkv, double[] dOut, int batch, int time, int c, int heads)
    {
        int hs = c / heads, c3 = 3 * c;
        double scale = 1 / Math.Sqrt(hs);
        var dqkv = new double[qkv.Length];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int t = 0; t < time; t++)
                {
                    int q = (b * time + t) * c3 + h * hs, o = (b * time + t) * c + h * hs;
                    var scores = new double[t + 1];
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        int k = (b * time + t2) * c3 + c + h * hs;
                        for (int i = 0; i < hs; i++) scores[t2] += qkv[q + i] * qkv[k + i] * scale;
                    }
                    var p = Softmax(scores);
                    var dp = new double[t + 1];
                    double weighted = 0;
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        int v = (b * time + t2) * c3 + 2 * c + h * hs;
                        for (int i = 0; i < hs; i++)
                        {
                            dp[t2] += dOut[o + i] * qkv[v + i];
                            dqkv[v + i] += p[t2] * dOut[o + i];
                        }
                        weighted += p[t2] * dp[t2];
                    }
                    for (int t2 = 0; t2 <= t; t2++)
                    {
                        double dPre = p[t2] * (dp[t2] - weighted) * scale;
                        int k = (b * time + t2) * c3 + c + h * hs;
                        for (int i = 0; i < hs; i++)
                        {
                            dqkv[q + i] += dPre * qkv[k + i];
                            dqkv[k + i] += dPre * qkv[q + i];
                        }
                    }
                }
        return dqkv;
    }

    public static double[] Softmax(double[] x)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>-log softmax(logits_n)[target_n] for each row.</summary>
    public static double[] CrossEntropy(double[] logits, int[] targets, int rows, int vocab)
    {
        var losses = new double[rows];
        for (int n = 0; n < rows; n++)
        {
            var row = logits.Skip(n * vocab).Take(vocab).ToArray();
            double max = row.Max();
            double lse = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            losses[n] = lse - row[targets[n]];
        }
        return losses;
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    public static double MeanSquaredValue(double z, double y) => (Sigmoid(z) - y) * (Sigmoid(z) - y);

    public static double BinaryCrossEntropyValue(double z, double y) => -y * Math.Log(Sigmoid(z)) - (1 - y) * Math.Log(1 - Sigmoid(z));
}
