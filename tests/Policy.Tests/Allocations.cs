using Reasoner.Tensors;

namespace Reasoner.Policy.Tests;

/// <summary>Measures what a warm call allocates on this thread.</summary>
internal static class Allocations
{
    private struct Nothing : IParallelBody
    {
        public readonly void Invoke(int index) { }
    }

    /// <summary>
    /// Whether the pool's own <c>For</c> is allocation-free. The skeleton WorkerPool allocates a closure per call even on
    /// one thread; the persistent pool that replaces it does not. Zero-allocation tests can only assert on the latter,
    /// since every kernel calls For.
    /// </summary>
    public static bool PoolIsAllocationFree(WorkerPool pool)
    {
        var body = new Nothing();
        pool.For(2, ref body);
        long before = GC.GetTotalAllocatedBytes(true);
        pool.For(2, ref body);
        return GC.GetTotalAllocatedBytes(true) == before;
    }

    public static long Of(Action action)
    {
        long before = GC.GetTotalAllocatedBytes(true);
        action();
        return GC.GetTotalAllocatedBytes(true) - before;
    }
}
