namespace Reasoner.Experiments.Statistics;

/// <summary>Percentile bootstrap (Efron 1979) for statistics with no closed-form interval, such as mean reward.</summary>
public static class Bootstrap
{
    /// <summary>
    /// Percentile bootstrap interval of the mean of <paramref name="values"/>: resample with replacement
    /// <paramref name="resamples"/> times, take the (1 - level)/2 and (1 + level)/2 quantiles of the resampled means.
    /// The generator is consumed, so the same seed gives the same interval. Empty input has no mean: NaN throughout.
    /// </summary>
    public static Interval MeanInterval(IReadOnlyList<double> values, Random random, int resamples = 2000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (level is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "level must lie in (0, 1)");
        }
        int n = values.Count;
        if (n == 0)
        {
            return new Interval(double.NaN, double.NaN, double.NaN);
        }
        double mean = values.Average();
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += values[random.Next(n)];
            }
            means[r] = sum / n;
        }
        Array.Sort(means);
        return new Interval(mean, Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2));
    }

    /// <summary>Quantile of sorted data by linear interpolation between order statistics (R's type 7).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
