namespace Reasoner.Actors.Runtime;

/// <summary>
/// Delay before the n-th restart within the retry window: min(MaxBackoff, MinBackoff * 2^(n-1)) times
/// (1 + RandomFactor * u), u uniform in [0, 1) from a generator seeded with <see cref="Seed"/> (Akka's
/// BackoffSupervisor formula). The jitter keeps n workers that fail together from restarting in lockstep.
/// </summary>
internal sealed record BackoffOptions
{
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    public double RandomFactor { get; init; } = 0.2;
    public int Seed { get; init; }

    /// <summary>Restart at once, as Akka's plain OneForOneStrategy does.</summary>
    public static BackoffOptions Immediate { get; } = new() { MinBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero, RandomFactor = 0 };

    internal TimeSpan DelayFor(int restartNumber, Random random)
    {
        var exponential = MinBackoff.TotalMilliseconds * Math.Pow(2, restartNumber - 1);
        var capped = Math.Min(MaxBackoff.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (1 + RandomFactor * random.NextDouble()));
    }
}
