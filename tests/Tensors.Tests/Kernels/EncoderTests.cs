using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class EncoderTests
{
    [Fact]
    public void Forward_adds_token_and_position_rows_and_backward_matches_finite_differences()
    {
        const int batch = 2, time = 3, c = 4, vocab = 5;
        var random = new Random(1);
        var (wte, wpe, g) = (RandomFloats(random, vocab * c), RandomFloats(random, time * c), RandomFloats(random, batch * time * c));
        int[] tokens = [0, 4, 4, 2, 0, 1]; // repeated tokens: their gradients must add up
        var output = new float[batch * time * c];
        Encoder.Forward(output, tokens, wte, wpe, batch, time, c);
        Assert.Equal(wte[4 * c + 2] + wpe[1 * c + 2], output[(0 * time + 1) * c + 2]);

        double[] Forward(double[] e, double[] p)
        {
            var y = new double[batch * time * c];
            for (int n = 0; n < batch * time; n++)
                for (int i = 0; i < c; i++) y[n * c + i] = e[tokens[n] * c + i] + p[n % time * c + i];
            return y;
        }
        var (dWte, dWpe) = (new float[wte.Length], new float[wpe.Length]);
        Encoder.Backward(dWte, dWpe, g, tokens, batch, time, c);
        AssertClose(Numeric(x => Project(Forward(x, ToDouble(wpe)), g), wte), dWte);
        AssertClose(Numeric(x => Project(Forward(ToDouble(wte), x), g), wpe), dWpe);
    }

    [Fact]
    public void A_token_outside_the_vocabulary_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Encoder.Forward(new float[2], [3], new float[6], new float[2], 1, 1, 2));
        Assert.Contains("vocabulary", error.Message);
    }
}
