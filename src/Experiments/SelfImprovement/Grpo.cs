namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// Group-relative policy optimisation (Shao et al. 2024, DeepSeekMath) as a weighted NLL with a KL term. Our loss is
/// L = sum_t w_t * (-log pi_theta(y_t)), so dL/dtheta = -w_t * grad log pi_t. GRPO minimises
/// -A * sum_t log pi_t + beta * sum_t k3_t with the k3 estimator k3 = r - log r - 1, r = pi_ref / pi_theta at the
/// sampled token. Since grad r = -r * grad log pi_theta, grad k3 = grad r * (1 - 1/r) = (1 - r) * grad log pi_t, and
/// the whole gradient is -(A + beta * (r_t - 1)) * grad log pi_t: token weight w_t = A + beta * (r_t - 1). The trainer
/// computes r_t with the policy at each step (CrossEntropy.SignedMeanWithKl); computed once when the samples were
/// drawn, r_t would be 1 for every sample of an iteration's own policy and the KL would hold nothing.
/// </summary>
public static class Grpo
{
    /// <summary>(r - mean) / std within the group (population std); all zero when every reward is the same, since
    /// a group that cannot tell its samples apart carries no signal.</summary>
    public static double[] Advantages(IReadOnlyList<double> rewards)
    {
        var advantages = new double[rewards.Count];
        if (rewards.Count == 0) return advantages;
        double mean = rewards.Average();
        double variance = rewards.Sum(r => (r - mean) * (r - mean)) / rewards.Count;
        double std = Math.Sqrt(variance);
        if (std < 1e-12) return advantages;
        for (int i = 0; i < advantages.Length; i++) advantages[i] = (rewards[i] - mean) / std;
        return advantages;
    }

    /// <summary>The k3 estimate of KL(pi_theta || pi_ref) at one sampled token: r - log r - 1 with r = pi_ref / pi_theta.</summary>
    public static double K3(double logProbReference, double logProbPolicy)
    {
        double logRatio = logProbReference - logProbPolicy;
        return Math.Exp(logRatio) - logRatio - 1;
    }
}
