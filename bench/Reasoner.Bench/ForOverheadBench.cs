using Reasoner.Tensors;

namespace Reasoner.Bench;

/// <summary>Cost of one empty parallel loop of 2 indices: WorkerPool.For against Parallel.For.</summary>
internal static class ForOverheadBench
{
    private struct Empty : IParallelBody
    {
        public void Invoke(int index) { }
    }

    public static void Run(int[] threadCounts)
    {
        foreach (int threads in threadCounts)
        {
            using var pool = new WorkerPool(threads);
            var body = new Empty();
            double ours = Timing.MedianSeconds(() => pool.For(threads, ref body));
            var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
            double parallel = Timing.MedianSeconds(() => Parallel.For(0, threads, options, _ => { }));
            Console.WriteLine($"empty For of {threads} indices at {threads} threads: WorkerPool {ours * 1e6:F2} us, Parallel.For {parallel * 1e6:F2} us");
        }
    }
}
