namespace Reasoner.Search.Metrics;

/// <summary>pass@k, the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code").</summary>
public static class PassAtK
{
    /// <summary>
    /// 1 - C(n-c, k) / C(n, k): the probability that at least one of k samples drawn without replacement from
    /// n samples, c of them correct, is correct. Computed as the stable product 1 - prod_{i=n-c+1}^{n} (1 - k/i).
    /// </summary>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"pass@k needs 1 <= k <= n and 0 <= c <= n (n = {n}, c = {c}, k = {k}).");
        if (n - c < k) return 1.0;
        var allWrong = 1.0;
        for (var i = n - c + 1; i <= n; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }
}
