using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class ValueLossTests
{
    [Theory]
    [InlineData(ValueLossKind.MeanSquared)]
    [InlineData(ValueLossKind.BinaryCrossEntropy)]
    public void Losses_and_gradients_match_the_double_reference(ValueLossKind kind)
    {
        float[] logits = [-3, -0.5f, 0, 0.7f, 4], targets = [0, 1, 0.5f, 1, 0.2f], coefficients = [1, 0.5f, 2, 1, 0.25f];
        Func<double, double, double> reference = kind == ValueLossKind.MeanSquared ? Reference.MeanSquaredValue : Reference.BinaryCrossEntropyValue;
        var losses = new float[5];
        ValueLoss.Forward(kind, losses, logits, targets);
        AssertClose(logits.Select((z, n) => reference(z, targets[n])).ToArray(), losses, 1e-5, 1e-6, "losses");
        var dLogits = new float[5];
        ValueLoss.Backward(kind, dLogits, coefficients, logits, targets);
        AssertClose(Numeric(x => x.Select((z, n) => coefficients[n] * reference(z, targets[n])).Sum(), logits), dLogits, 1e-4, 1e-6, "dlogits");
    }

    [Fact]
    public void Binary_cross_entropy_stays_finite_for_extreme_logits()
    {
        var losses = new float[2];
        ValueLoss.Forward(ValueLossKind.BinaryCrossEntropy, losses, [-200, 200], [1, 0]);
        Assert.Equal(200f, losses[0], 1e-3);
        Assert.Equal(200f, losses[1], 1e-3);
    }
}
