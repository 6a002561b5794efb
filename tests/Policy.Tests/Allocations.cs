namespace Reasoner.Policy.Tests;

/// <summary>
/// Measures what a warm call allocates on this thread. With a one-thread WorkerPool every kernel runs inline on the
/// caller, so the per-thread counter sees all of it and is not disturbed by tests running beside it
/// (the pool's own multi-threaded path is checked in Tensors.Tests' WorkerPoolTests). Also compiled into
/// Experiments.Tests.
/// </summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="action"/> allocated on this thread in any of <paramref name="trials"/> calls.
    /// Now and then the runtime's own work lands on the counter of a thread mid-call (a hot method recompiled by tiered
    /// compilation, a garbage collection that tests running beside it set off): one measurement failed 2 of about 40 suite
    /// runs on a loaded machine, and the runtime's own tests of this counter flake the same way. Code that allocates on
    /// every call does so in every trial, so the fewest is what the code itself allocates.
    /// </summary>
    public static long Fewest(Action action, int trials = 10)
    {
        long fewest = long.MaxValue;
        for (int i = 0; i < trials && fewest > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
