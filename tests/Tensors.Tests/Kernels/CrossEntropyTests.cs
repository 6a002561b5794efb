using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class CrossEntropyTests
{
    private const int Batch = 2, Time = 3, Vocab = 5, Rows = Batch * Time;
    private readonly int[] Targets = [0, 4, 2, 2, 1, 3];

    private (float[] Logits, float[] Losses, float[] Lse) Run(WorkerPool pool, int seed)
    {
        var logits = RandomFloats(new Random(seed), Rows * Vocab, 3);
        var (losses, lse) = (new float[Rows], new float[Rows]);
        CrossEntropy.Forward(pool, losses, lse, logits, Targets, Rows, Vocab);
        return (logits, losses, lse);
    }

    [Fact]
    public void Weighted_mean_loss_and_its_gradient_match_the_double_reference()
    {
        using var pool = new WorkerPool(2);
        var (logits, losses, lse) = Run(pool, 1);
        float[] weights = [1, 0, 1, 0.5f, 0, 2]; // zero weights: prompt positions that must not count
        AssertClose(Reference.CrossEntropy(ToDouble(logits), Targets, Rows, Vocab), losses, 1e-5, 1e-6, "losses");
        var coefficients = new float[Rows];
        float mean = CrossEntropy.WeightedMean(losses, weights, coefficients);
        double Loss(double[] x)
        {
            var l = Reference.CrossEntropy(x, Targets, Rows, Vocab);
            return l.Select((v, n) => v * weights[n]).Sum() / weights.Sum();
        }
        Assert.Equal(Loss(ToDouble(logits)), mean, 1e-5);
        var dLogits = new float[logits.Length];
        CrossEntropy.Backward(pool, dLogits, coefficients, logits, lse, Targets, Rows, Vocab);
        AssertClose(Numeric(Loss, logits), dLogits, 1e-3, 1e-6, "dlogits");
        Assert.All(dLogits.Skip(1 * Vocab).Take(Vocab), d => Assert.Equal(0f, d)); // weight 0: no gradient at all
    }

    [Fact]
    public void Signed_weighted_mean_and_its_gradient_match_the_double_reference()
    {
        using var pool = new WorkerPool(1);
        var (logits, losses, lse) = Run(pool, 3);
        float[] weights = [0, 2f, -0.5f, 1f, 0, -1.5f]; // 4 positions count
        var coefficients = new float[Rows];
        float loss = CrossEntropy.SignedMean(losses, weights, coefficients, out float meanLoss);
        double Loss(double[] x)
        {
            var l = Reference.CrossEntropy(x, Targets, Rows, Vocab);
            return Enumerable.Range(0, Rows).Sum(n => weights[n] * l[n]) / 4;
        }
        var plain = Reference.CrossEntropy(ToDouble(logits), Targets, Rows, Vocab);
        Assert.Equal(Loss(ToDouble(logits)), loss, 1e-5);
        Assert.Equal((plain[1] + plain[2] + plain[3] + plain[5]) / 4, meanLoss, 1e-5);
        var dLogits = new float[logits.Length];
        CrossEntropy.Backward(pool, dLogits, coefficients, logits, lse, Targets, Rows, Vocab);
        AssertClose(Numeric(Loss, logits), dLogits, 1e-3, 1e-6, "dlogits");
    }

    [Fact]
    public void Signed_weighted_mean_with_a_k3_kl_and_its_gradient_match_the_double_reference()
    {
        using var pool = new WorkerPool(1);
        var (logits, losses, lse) = Run(pool, 4);
        float[] weights = [0, 2f, -0.5f, 0, 0, -1.5f], beta = [0, 0.3f, 0.3f, 0.3f, 0, 0];
        float[] reference = [0, -0.4f, -3f, -1.2f, 0, 0]; // 4 positions count: 1, 2, 3 (KL only) and 5
        var coefficients = new float[Rows];
        float loss = CrossEntropy.SignedMeanWithKl(losses, weights, beta, reference, coefficients, out _);
        double Loss(double[] x)
        {
            var l = Reference.CrossEntropy(x, Targets, Rows, Vocab);
            return Enumerable.Range(0, Rows).Sum(n =>
            {
                double logRatio = reference[n] + l[n];
                return weights[n] * l[n] + (beta[n] == 0 ? 0 : beta[n] * (Math.Exp(logRatio) - logRatio - 1));
            }) / 4;
        }
        Assert.Equal(Loss(ToDouble(logits)), loss, 1e-5);
        var dLogits = new float[logits.Length];
        CrossEntropy.Backward(pool, dLogits, coefficients, logits, lse, Targets, Rows, Vocab);
        AssertClose(Numeric(Loss, logits), dLogits, 1e-3, 1e-6, "dlogits");
        Assert.All(dLogits.Skip(4 * Vocab).Take(Vocab), d => Assert.Equal(0f, d));
    }

    [Fact]
    public void Sequence_weighted_log_likelihood_and_its_gradient_match_the_double_reference()
    {
        using var pool = new WorkerPool(1);
        var (logits, losses, lse) = Run(pool, 2);
        float[] sequenceWeights = [1.5f, -0.5f], mask = [0, 1, 1, 1, 1, 0];
        var coefficients = new float[Rows];
        float loss = CrossEntropy.SequenceWeighted(losses, sequenceWeights, mask, coefficients, Batch, Time);
        // loss = -sum_b w_b sum_t mask_bt log p(target_bt)
        double Loss(double[] x)
        {
            var l = Reference.CrossEntropy(x, Targets, Rows, Vocab);
            return Enumerable.Range(0, Rows).Sum(n => sequenceWeights[n / Time] * mask[n] * l[n]);
        }
        Assert.Equal(Loss(ToDouble(logits)), loss, 1e-5);
        var dLogits = new float[logits.Length];
        CrossEntropy.Backward(pool, dLogits, coefficients, logits, lse, Targets, Rows, Vocab);
        AssertClose(Numeric(Loss, logits), dLogits, 1e-3, 1e-6, "dlogits");
    }

    [Fact]
    public void A_target_outside_the_vocabulary_is_refused()
    {
        using var pool = new WorkerPool(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Forward(pool, new float[1], new float[1], new float[3], [3], 1, 3));
    }
}
