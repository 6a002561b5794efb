using Reasoner.Tensors.Optim;

namespace Reasoner.Tensors.Tests.Optim;

public class GradientClippingTests
{
    [Fact]
    public void A_large_gradient_is_scaled_to_the_max_norm_and_its_norm_returned()
    {
        float[] g = [3, 4];
        Assert.Equal(5f, GradientClipping.ClipGlobalNorm(g, 1f), 1e-6);
        Assert.Equal(3.0 / (5 + 1e-6), g[0], 1e-6);
        Assert.Equal(4.0 / (5 + 1e-6), g[1], 1e-6);
    }

    [Fact]
    public void A_small_gradient_is_left_alone()
    {
        float[] g = [0.3f, 0.4f];
        Assert.Equal(0.5f, GradientClipping.ClipGlobalNorm(g, 1f), 1e-6);
        Assert.Equal([0.3f, 0.4f], g);
    }
}
