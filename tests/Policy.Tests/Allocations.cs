namespace Reasoner.Policy.Tests;

/// <summary>
/// Measures what a warm call allocates on this thread. With a one-thread WorkerPool every kernel runs inline on the
/// caller, so the per-thread counter sees all of it and is not disturbed by tests running beside it
/// (the pool's own multi-threaded path is checked in Tensors.Tests' WorkerPoolTests).
/// </summary>
internal static class Allocations
{
    public static long Of(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
