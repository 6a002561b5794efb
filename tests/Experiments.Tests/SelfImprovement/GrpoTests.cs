using Reasoner.Tensors.Kernels;
using Reasoner.Experiments.SelfImprovement;

namespace Reasoner.Experiments.Tests.SelfImprovement;

public class GrpoTests
{
    [Fact]
    public void AdvantagesAreStandardisedWithinTheGroup()
    {
        var advantages = Grpo.Advantages([1, 0, 0, 1, 1]);
        Assert.Equal(0, advantages.Average(), 12);
        Assert.Equal(1, Math.Sqrt(advantages.Average(a => a * a)), 12);
        Assert.True(advantages[0] > 0 && advantages[1] < 0);
        Assert.Equal(0.4 / Math.Sqrt(0.24), advantages[0], 12); // (1 - mean 0.6) / std sqrt(0.24)
    }

    [Fact]
    public void AGroupWithOneRewardHasNoAdvantage() => Assert.All(Grpo.Advantages([0.1, 0.1, 0.1]), a => Assert.Equal(0, a));

    /// <summary>
    /// The derivation in <see cref="Grpo"/>, checked by finite differences through the trainer's kernel: for a softmax
    /// policy over logits z and a sampled token y, the gradient of L(z) = -A log p_y + beta * k3(q_y / p_y) equals
    /// c * d(-log p_y)/dz with c the coefficient <see cref="CrossEntropy.SignedMeanWithKl"/> gives the position,
    /// whatever the sign of A and the side of q_y; and its loss is L itself.
    /// </summary>
    [Theory]
    [InlineData(1.3, 0.04, 0.7)]
    [InlineData(-0.8, 0.5, 0.05)]
    [InlineData(0.0, 2.0, 0.3)]
    public void TheKernelsCoefficientGivesTheGradientOfTheGrpoLossWithK3(double advantage, double beta, double referenceProbability)
    {
        double[] logits = [0.3, -1.2, 0.8, 0.1];
        const int sampled = 2;
        double logQ = Math.Log(referenceProbability);
        double Loss(double[] z)
        {
            double logP = z[sampled] - Math.Log(z.Sum(Math.Exp));
            return -advantage * logP + beta * Grpo.K3(logQ, logP);
        }
        double logP0 = logits[sampled] - Math.Log(logits.Sum(Math.Exp));
        var coefficient = new float[1];
        float loss = CrossEntropy.SignedMeanWithKl([(float)-logP0], [(float)advantage], [(float)beta], [(float)logQ], coefficient, out _);
        Assert.Equal(Loss(logits), loss, 5);
        for (int j = 0; j < logits.Length; j++)
        {
            double p = Math.Exp(logits[j] - Math.Log(logits.Sum(Math.Exp)));
            double nllGradient = p - (j == sampled ? 1 : 0);
            double[] plus = (double[])logits.Clone(), minus = (double[])logits.Clone();
            plus[j] += 1e-6;
            minus[j] -= 1e-6;
            double numeric = (Loss(plus) - Loss(minus)) / 2e-6;
            Assert.Equal(numeric, coefficient[0] * nllGradient, 5);
        }
    }

    [Fact]
    public void KlIsZeroAtTheReferenceAndPositiveAway()
    {
        Assert.Equal(0, Grpo.K3(-1.5, -1.5), 12);
        Assert.True(Grpo.K3(-0.5, -1.5) > 0 && Grpo.K3(-2.5, -1.5) > 0);
    }
}
