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
        new("decode tiny R=1", 1, 128, 384), new("decode small R=1", 1, 256, 1024),
    ];

    public static void Run(int[] threadCounts)
    {
        var pools = threadCounts.Select(t => new WorkerPool(t)).ToArray();
        string header = string.Join("", threadCounts.Select(t => $" | fwd {t}T  dIn {t}T  dW {t}T"));
        Console.WriteLine($"GFLOP/s, median of 5{Environment.NewLine}{"shape",-18} {"R",5} {"C",5} {"OC",6}{header}");
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
        var line = $"{shape.Group,-18} {r,5} {c,5} {oc,6}";
        foreach (var pool in pools)
        {
            double forward = Timing.MedianSeconds(() => Matmul.Forward(pool, y, x, w, b, r, c, oc));
            line += $" | {flops / forward / 1e9,6:F1}";
            if (forwardOnly) { line += $" {"",7} {"",6}"; continue; }
            double input = Timing.MedianSeconds(() =>
            {
                fixed (float* pdx = dx, pdy = dy, pw = w)
                    Gemm.Multiply(pool, pdx, c, new GemmOperand(pdy, oc, false), new GemmOperand(pw, c, false), r, c, oc, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
            });
            double weight = Timing.MedianSeconds(() => Matmul.Backward(pool, default, dw, default, dy, x, w, r, c, oc));
            line += $" {flops / input / 1e9,7:F1} {flops / weight / 1e9,6:F1}";
        }
        Console.WriteLine(line);
    }
}
