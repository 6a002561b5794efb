using System.Diagnostics;

namespace Reasoner.Bench;

internal static class Timing
{
    /// <summary>Median seconds per call of <paramref name="action"/>: warmed up, then several repeats of a batch of
    /// calls sized to take ~<paramref name="repeatSeconds"/> each, so one slow batch (another process) is discarded.</summary>
    public static double MedianSeconds(Action action, int repeats = 5, double repeatSeconds = 0.05)
    {
        action();
        var stopwatch = Stopwatch.StartNew();
        action();
        double once = Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-7);
        int calls = (int)Math.Clamp(repeatSeconds / once, 1, 1_000_000);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            stopwatch.Restart();
            for (int j = 0; j < calls; j++) action();
            times[i] = stopwatch.Elapsed.TotalSeconds / calls;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
