using Reasoner.Tensors.Kernels;

namespace Reasoner.Tensors.Tests.Kernels;

public class ResidualTests
{
    [Fact]
    public void Forward_adds_and_backward_passes_the_gradient_to_both_inputs()
    {
        var output = new float[3];
        Residual.Forward(output, [1, 2, 3], [10, 20, 30]);
        Assert.Equal([11f, 22f, 33f], output);
        float[] dA = [1, 1, 1], dB = [0, 0, 0];
        Residual.Backward(dA, dB, [0.5f, -1, 2]);
        Assert.Equal([1.5f, 0, 3], dA);
        Assert.Equal([0.5f, -1, 2], dB);
    }
}
