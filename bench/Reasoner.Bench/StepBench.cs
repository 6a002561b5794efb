using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;
using Reasoner.Tensors.Optim;

namespace Reasoner.Bench;

/// <summary>
/// Where a training step's time goes: every kernel a GPT training step calls, on that model's shapes, timed alone and
/// multiplied by its calls per step. The sum is close to a whole step; the biggest line is the next thing to optimise.
/// </summary>
internal static unsafe class StepBench
{
    private sealed record Model(string Name, int Layers, int Channels, int Heads, int Vocab, int Time, int Batch)
    {
        public int Rows => Batch * Time;
        public long Parameters => (long)Vocab * Channels + (long)Time * Channels + Layers * (12L * Channels * Channels + 13L * Channels) + 2L * Channels;
    }

    private static readonly Model[] Models =
    [
        new("tiny", 4, 128, 4, 64, 64, 32),
        new("small", 6, 256, 8, 64, 128, 16),
        new("gpt2 slice", 12, 768, 12, 50304, 256, 4),
    ];

    public static void Run(int[] threadCounts, string? only)
    {
        var pools = threadCounts.Select(t => new WorkerPool(t)).ToArray();
        foreach (var model in Models.Where(m => only == null || m.Name.StartsWith(only, StringComparison.Ordinal)))
        {
            Console.WriteLine($"{model.Name}: L{model.Layers} C{model.Channels} H{model.Heads} V{model.Vocab} T{model.Time} B{model.Batch}." +
                " ms per step = ms per call x calls per step; at 1 thread also by the thread's CPU time.");
            string header = string.Join("", pools.Select(p => p.Threads == 1 ? $" | {"1T wall/cpu",13}" : $" | {$"{p.Threads}T wall",9}"));
            Console.WriteLine($"  {"kernel",-24} {"calls",5}{header}");
            var totals = new double[pools.Length];
            foreach (var (name, calls, action) in Kernels(model))
            {
                var line = $"  {name,-24} {calls,5}";
                for (int i = 0; i < pools.Length; i++)
                {
                    var pool = pools[i];
                    var (wall, cpu) = Timing.Median(() => action(pool), repeats: model.Name == "gpt2 slice" ? 3 : 5);
                    totals[i] += calls * wall * 1e3;
                    line += pool.Threads == 1 ? $" | {calls * wall * 1e3,6:F2}/{calls * cpu * 1e3,-6:F2}" : $" | {calls * wall * 1e3,9:F2}";
                }
                Console.WriteLine(line);
            }
            Console.WriteLine($"  {"total",-30}" + string.Join("", totals.Select((t, i) => pools[i].Threads == 1 ? $" | {t,6:F2}{"",7}" : $" | {t,9:F2}")));
        }
        foreach (var pool in pools) pool.Dispose();
    }

    private static IEnumerable<(string Name, int Calls, Action<WorkerPool> Run)> Kernels(Model m)
    {
        var random = new Random(1);
        float[] Fill(long n, float scale = 1f)
        {
            var a = GC.AllocateUninitializedArray<float>((int)n);
            for (long i = 0; i < n; i++) a[i] = scale * (float)(random.NextDouble() - 0.5);
            return a;
        }
        int n = m.Rows, c = m.Channels, h = m.Heads, t = m.Time, b = m.Batch, l = m.Layers, v = m.Vocab;

        // The linear layers of one block, then the lm head: forward, then backward (dInput and dWeight).
        foreach (var (name, inF, outF, calls) in new[] { ("qkv", c, 3 * c, l), ("attn proj", c, c, l), ("fc", c, 4 * c, l), ("fc proj", 4 * c, c, l), ("lm head", c, v, 1) })
        {
            float[] x = Fill((long)n * inF), w = Fill((long)outF * inF, 0.02f), bias = Fill(outF), y = new float[(long)n * outF];
            float[] dy = Fill((long)n * outF), dx = new float[(long)n * inF], dw = new float[(long)outF * inF], db = new float[outF];
            yield return ($"matmul {name} fwd", calls, pool => Matmul.Forward(pool, y, x, w, name == "lm head" ? default : bias, n, inF, outF));
            yield return ($"matmul {name} bwd", calls, pool => Matmul.Backward(pool, dx, dw, name == "lm head" ? default : db, dy, x, w, n, inF, outF));
        }

        var qkv = Fill((long)n * 3 * c, 2f);
        var (attY, att, dAtt, dAttY, dQkv) = (new float[n * c], new float[(long)b * h * t * t], new float[(long)b * h * t * t], Fill(n * c), new float[(long)n * 3 * c]);
        yield return ("attention fwd", l, pool => Attention.Forward(pool, attY, att, qkv, b, t, c, h));
        Attention.Forward(new WorkerPool(1), attY, att, qkv, b, t, c, h);
        yield return ("attention bwd", l, pool => Attention.Backward(pool, dQkv, dAtt, dAttY, qkv, att, b, t, c, h));

        var (fch, fchGelu, dFchGelu, dFch) = (Fill((long)n * 4 * c, 4f), new float[(long)n * 4 * c], Fill((long)n * 4 * c), new float[(long)n * 4 * c]);
        yield return ("gelu fwd", l, pool => Gelu.Forward(pool, fchGelu, fch));
        yield return ("gelu bwd", l, pool => Gelu.Backward(pool, dFch, dFchGelu, fch));

        var (x0, lnOut, mean, rstd, lw, lb) = (Fill(n * c), new float[n * c], new float[n], new float[n], Fill(c), Fill(c));
        var (dLn, dX, dLw, dLb) = (Fill(n * c), new float[n * c], new float[c], new float[c]);
        yield return ("layernorm fwd", 2 * l + 1, pool => LayerNorm.Forward(pool, lnOut, mean, rstd, x0, lw, lb, n, c));
        yield return ("layernorm bwd", 2 * l + 1, pool => LayerNorm.Backward(pool, dX, dLw, dLb, dLn, x0, lw, mean, rstd, n, c));
        var residual = new float[n * c];
        yield return ("residual fwd+bwd", 2 * l, pool => { Residual.Forward(residual, x0, dLn); Residual.Backward(dX, residual, dLn); });

        var (logits, losses, lse, targets, coefficients, dLogits) = (Fill((long)n * v, 4f), new float[n], new float[n], new int[n], new float[n], new float[(long)n * v]);
        for (int i = 0; i < n; i++) (targets[i], coefficients[i]) = (random.Next(v), 1f / n);
        yield return ("cross-entropy fwd", 1, pool => CrossEntropy.Forward(pool, losses, lse, logits, targets, n, v));
        yield return ("cross-entropy bwd", 1, pool => CrossEntropy.Backward(pool, dLogits, coefficients, logits, lse, targets, n, v));

        long parameters = m.Parameters;
        var (p, g, mom, vel) = (Fill(parameters, 0.02f), Fill(parameters, 1e-3f), new float[parameters], new float[parameters]);
        var adam = new AdamWConfig();
        yield return ("clip + adamw", 1, pool => { GradientClipping.ClipGlobalNorm(g, 1f); AdamW.Step(pool, p, g, mom, vel, 10, 1e-3f, adam, 0.1f); });
        // What GptTrainer clears each step: the parameter gradients and the activation gradients (18 C + H T floats per
        // token and layer, plus the logits).
        var activationGradients = new float[(long)n * (l * (18L * c + h * t) + v + 4L * c)];
        yield return ("clear gradients", 1, _ => { g.AsSpan().Clear(); activationGradients.AsSpan().Clear(); });
    }
}
