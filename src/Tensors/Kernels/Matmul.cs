namespace Reasoner.Tensors.Kernels;

/// <summary>
/// The linear layer's three matrix products, in llm.c's layout (row-major, PyTorch's (out, in) weights).
/// R = rows (B*T), C = input features, OC = output features.
/// </summary>
public static unsafe class Matmul
{
    /// <summary>output (R,OC) = input (R,C) @ weight (OC,C)^T + bias (OC). An empty bias means none.</summary>
    public static void Forward(WorkerPool pool, Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, int rows, int inFeatures, int outFeatures)
    {
        Check(output.Length, rows * outFeatures, nameof(output));
        Check(input.Length, rows * inFeatures, nameof(input));
        Check(weight.Length, outFeatures * inFeatures, nameof(weight));
        if (!bias.IsEmpty) Check(bias.Length, outFeatures, nameof(bias));
        fixed (float* o = output, x = input, w = weight, b = bias)
        {
            var body = new ForwardRows(o, x, w, bias.IsEmpty ? null : b, inFeatures, outFeatures);
            pool.For(rows, ref body);
        }
    }

    /// <summary>
    /// Accumulates the gradients of <see cref="Forward"/>: dInput (R,C) += dOutput (R,OC) @ weight (OC,C);
    /// dWeight (OC,C) += dOutput^T @ input; dBias (OC) += column sums of dOutput. Empty dInput or dBias: skipped.
    /// </summary>
    public static void Backward(WorkerPool pool, Span<float> dInput, Span<float> dWeight, Span<float> dBias,
        ReadOnlySpan<float> dOutput, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, int rows, int inFeatures, int outFeatures)
    {
        Check(dOutput.Length, rows * outFeatures, nameof(dOutput));
        Check(input.Length, rows * inFeatures, nameof(input));
        Check(weight.Length, outFeatures * inFeatures, nameof(weight));
        Check(dWeight.Length, outFeatures * inFeatures, nameof(dWeight));
        if (!dInput.IsEmpty) Check(dInput.Length, rows * inFeatures, nameof(dInput));
        if (!dBias.IsEmpty) Check(dBias.Length, outFeatures, nameof(dBias));
        fixed (float* dx = dInput, dw = dWeight, db = dBias, dy = dOutput, x = input, w = weight)
        {
            if (!dInput.IsEmpty)
            {
                var inputBody = new BackwardInputRows(dx, dy, w, inFeatures, outFeatures);
                pool.For(rows, ref inputBody);
            }
            var weightBody = new BackwardWeightRows(dw, dBias.IsEmpty ? null : db, dy, x, rows, inFeatures, outFeatures);
            pool.For(outFeatures, ref weightBody);
        }
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }

    private readonly struct ForwardRows(float* output, float* input, float* weight, float* bias, int c, int oc) : IParallelBody
    {
        public void Invoke(int r)
        {
            var x = new ReadOnlySpan<float>(input + (long)r * c, c);
            for (int o = 0; o < oc; o++)
            {
                float sum = System.Numerics.Tensors.TensorPrimitives.Dot(x, new ReadOnlySpan<float>(weight + (long)o * c, c));
                output[(long)r * oc + o] = bias == null ? sum : sum + bias[o];
            }
        }
    }

    private readonly struct BackwardInputRows(float* dInput, float* dOutput, float* weight, int c, int oc) : IParallelBody
    {
        public void Invoke(int r)
        {
            var dx = new Span<float>(dInput + (long)r * c, c);
            for (int o = 0; o < oc; o++)
            {
                float g = dOutput[(long)r * oc + o];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(weight + (long)o * c, c), g, dx, dx);
            }
        }
    }

    private readonly struct BackwardWeightRows(float* dWeight, float* dBias, float* dOutput, float* input, int rows, int c, int oc) : IParallelBody
    {
        public void Invoke(int o)
        {
            var dw = new Span<float>(dWeight + (long)o * c, c);
            float biasSum = 0;
            for (int r = 0; r < rows; r++)
            {
                float g = dOutput[(long)r * oc + o];
                biasSum += g;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(input + (long)r * c, c), g, dw, dw);
            }
            if (dBias != null) dBias[o] += biasSum;
        }
    }
}
