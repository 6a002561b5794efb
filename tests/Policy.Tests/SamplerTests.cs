namespace Reasoner.Policy.Tests;

public class SamplerTests
{
    private readonly float[] Logits = [2f, 1f, 0.5f, -1f, 0f];

    private double[] Frequencies(SamplingConfig config, int draws = 20000)
    {
        var sampler = new Sampler(Logits.Length);
        var random = new Random(42);
        var counts = new double[Logits.Length];
        for (int i = 0; i < draws; i++) counts[sampler.Sample(Logits, config, random)]++;
        return counts.Select(c => c / draws).ToArray();
    }

    private static double[] Softmax(IEnumerable<double> logits) => Reasoner.Tensors.Tests.Reference.Softmax(logits.ToArray());

    [Fact]
    public void Greedy_takes_the_argmax()
    {
        Assert.Equal(0, new Sampler(5).Sample(Logits, SamplingConfig.Greedy, new Random(0)));
    }

    [Fact]
    public void Temperature_sampling_follows_the_softmax_of_the_scaled_logits()
    {
        var expected = Softmax(Logits.Select(l => l / 0.7));
        var observed = Frequencies(new SamplingConfig(0.7f));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], observed[i], 0.015);
    }

    [Fact]
    public void Top_k_keeps_only_the_k_likeliest_renormalised()
    {
        var observed = Frequencies(new SamplingConfig(1f, TopK: 2));
        var expected = Softmax([2.0, 1.0]);
        Assert.Equal(expected[0], observed[0], 0.015);
        Assert.Equal(expected[1], observed[1], 0.015);
        Assert.Equal(0, observed[2] + observed[3] + observed[4]);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_reaching_p()
    {
        var probs = Softmax(Logits.Select(l => (double)l)); // 0.53, 0.20, 0.12, 0.03, 0.07
        var observed = Frequencies(new SamplingConfig(1f, TopP: 0.7f)); // 0.53 + 0.20 reaches 0.7
        Assert.Equal(probs[0] / (probs[0] + probs[1]), observed[0], 0.015);
        Assert.Equal(0, observed[2] + observed[3] + observed[4]);
    }

    [Fact]
    public void The_same_seed_draws_the_same_tokens()
    {
        var sampler = new Sampler(5);
        var (a, b) = (new Random(7), new Random(7));
        var config = new SamplingConfig(1.3f, TopK: 4, TopP: 0.95f);
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => sampler.Sample(Logits, config, a)), Enumerable.Range(0, 50).Select(_ => sampler.Sample(Logits, config, b)));
    }
}
