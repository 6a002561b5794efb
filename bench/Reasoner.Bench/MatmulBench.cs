using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Bench;

/// <summary>GFLOP/s of the linear layer's products on the shapes the models use (2*R*C*OC flops per product).</summary>
internal static unsafe class MatmulBench
{
    private sealed record Shape(string Group, int Rows, int In, int Out);

    private static readonly Shape[] Square = [new("square", 1024, 1024, 1024)];

    private static readonly Shape[] Training =
    [
        new("train tiny", 2048, 128, 384), new("train tiny", 2048, 128, 128), new("train tiny", 2048, 128, 512), new("train tiny", 2048, 512, 128),
        new("train small", 2048, 256, 768), new("train small", 2048, 256, 256), new("train small", 2048, 256, 1024), new("train small", 2048, 1024, 256),
        new("gpt2 slice", 1024, 768, 2304), new("gpt2 slice", 1024, 768, 768), new("gpt2 slice", 1024, 768, 3072), new("gpt2 slice", 1024, 3072, 768),
        new("gpt2 logits", 1024, 768, 50304),
    ];

    private static readonly Shape[] Decode =
    [
        new("decode tiny", 64, 128, 384), new("decode tiny", 64, 128, 128), new("decode tiny", 64, 128, 512), new("decode tiny", 64, 512, 128),
        new("decode small", 64, 256, 768), new("decode small", 64, 256, 256), new("decode small", 64, 256, 1024), new("decode small", 64, 1024, 256),
        new("decode tiny R=1", 1, 128, 384), new("decode small R=1", 1, 256, 1024), new("decode small R=2", 2, 256, 1024), new("decode small R=3", 3, 256, 1024), new("decode small R=4", 4, 256, 1024),
        new("search tiny R=8", 8, 128, 512), new("search small R=8", 8, 256, 1024), new("search small R=16", 16, 256, 1024),
    ];

    public static void Run(int[] threadCounts)
    {
        var pools = threadCounts.Select(t => new WorkerPool(t)).ToArray();
        Console.WriteLine("GFLOP/s (2*R*C*OC / median wall time of 5 repeats, 3 for logits). At 1 thread, '/' adds the figure by the thread's");
        Console.WriteLine("CPU time. Decode and search shapes: forward, then forward from the weight packed once (PackedWeight), as decoders run it;");
        Console.WriteLine("at 1 thread, CPU time is what the kernel does while it has the core, when other jobs share the machine.");
        string header = string.Join("", threadCounts.Select(t => t == 1
            ? $" | {"fwd 1T",-11} {"dIn 1T",-11} {"dW 1T",-11}"
            : $" | {$"fwd {t}T",6} {$"dIn {t}T",6} {$"dW {t}T",6}"));
        Console.WriteLine($"{"shape",-16} {"R",5} {"C",5} {"OC",6}{header}");
        foreach (var shape in Square.Concat(Training)) Print(shape, pools, forwardOnly: false);
        foreach (var shape in Decode) Print(shape, pools, forwardOnly: true);
        foreach (var pool in pools) pool.Dispose();
    }

    private static void Print(Shape shape, WorkerPool[] pools, bool forwardOnly)
    {
        var random = new Random(1);
        float[] Fill(long n) { var a = new float[n]; for (long i = 0; i < n; i++) a[i] = (float)(random.NextDouble() - 0.5); return a; }
        var (r, c, oc) = (shape.Rows, shape.In, shape.Out);
        float[] x = Fill((long)r * c), w = Fill((long)oc * c), b = Fill(oc), y = new float[(long)r * oc], dy = Fill((long)r * oc);
        float[] dx = new float[(long)r * c], dw = new float[(long)oc * c];
        double flops = 2.0 * r * c * oc;
        int repeats = flops > 1e10 ? 3 : 5; // the logits product takes seconds
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        var line = $"{shape.Group,-16} {r,5} {c,5} {oc,6}";
        foreach (var pool in pools)
        {
            string Format((double Wall, double Cpu) time) => pool.Threads == 1
                ? $"{flops / time.Wall / 1e9,5:F1}/{flops / time.Cpu / 1e9,-5:F1}"
                : $"{flops / time.Wall / 1e9,6:F1}";
            var forward = Timing.Median(() => Matmul.Forward(pool, y, x, w, b, r, c, oc), repeats);
            var input = forwardOnly ? default : Timing.Median(() =>
            {
                fixed (float* pdx = dx, pdy = dy, pw = w)
                    Gemm.Multiply(pool, pdx, c, new GemmOperand(pdy, oc, false), new GemmOperand(pw, c, false), r, c, oc, wide);
            }, repeats);
            var weight = forwardOnly ? default : Timing.Median(() => Matmul.Backward(pool, default, dw, default, dy, x, w, r, c, oc), repeats);
            line += " | " + Format(forward);
            if (!forwardOnly) line += " " + Format(input) + " " + Format(weight);
            else
            {
                // As decoders multiply: the weight packed once (PackedWeight), not on every call.
                var packed = new PackedWeight(pool, w, c, oc);
                line += " " + Format(Timing.Median(() => Matmul.Forward(pool, y, x, w, b, r, c, oc, packed), repeats));
            }
        }
        Console.WriteLine(line);
    }
}
