using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Reasoner.Bench;

internal static unsafe partial class Timing
{
    /// <summary>Median seconds per call of <paramref name="action"/>, in wall time and in CPU time of the calling
    /// thread: warmed up, then several repeats of a batch of calls sized to take ~<paramref name="repeatSeconds"/>
    /// each, so one slow batch (another process) is discarded. On a machine shared with other jobs the CPU time of a
    /// one-thread run is what the kernel costs when it has the core; wall time is what the caller waits.</summary>
    public static (double Wall, double Cpu) Median(Action action, int repeats = 5, double repeatSeconds = 0.05)
    {
        // Warm until the JIT has moved the code to its optimised tier (after 30 calls and a background delay): a
        // kernel called only a few times would otherwise be timed as unoptimised code. Capped for the slow products.
        var stopwatch = Stopwatch.StartNew();
        for (int warm = 0; stopwatch.Elapsed.TotalSeconds < 5 && (warm < 40 || stopwatch.Elapsed.TotalSeconds < 0.3); warm++) action();
        stopwatch.Restart();
        action();
        double once = Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-7);
        int calls = (int)Math.Clamp(repeatSeconds / once, 1, 1_000_000);
        var (wall, cpu) = (new double[repeats], new double[repeats]);
        for (int i = 0; i < repeats; i++)
        {
            double cpuStart = ThreadCpuSeconds();
            stopwatch.Restart();
            for (int j = 0; j < calls; j++) action();
            wall[i] = stopwatch.Elapsed.TotalSeconds / calls;
            cpu[i] = (ThreadCpuSeconds() - cpuStart) / calls;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return (wall[repeats / 2], cpu[repeats / 2]);
    }

    public static double MedianSeconds(Action action) => Median(action).Wall;

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* timespec);

    /// <summary>CPU seconds used by the calling thread (Linux); NaN elsewhere.</summary>
    private static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        long* timespec = stackalloc long[2];
        return ClockGetTime(ThreadCpuClock, timespec) == 0 ? timespec[0] + timespec[1] * 1e-9 : double.NaN;
    }
}
