namespace Reasoner.Tensors;

/// <summary>A body of work split into independent indices, run by <see cref="WorkerPool.For{TBody}"/>.
/// A struct, so a parallel loop allocates nothing: it holds the pointers and sizes it needs.</summary>
public interface IParallelBody
{
    void Invoke(int index);
}

/// <summary>
/// The threads every kernel runs on. One pool per model (never a global), so a test, a benchmark and a
/// search worker each choose their own thread count. <c>For</c> runs <c>body.Invoke(i)</c> for i in [0, count)
/// and returns when all are done; the caller picks the granularity (rows, heads, column panels).
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly ParallelOptions _options;

    public WorkerPool(int threads = 0)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be >= 0 (0 = all cores)");
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    public int Threads { get; }

    public void For<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        if (count <= 0) return;
        if (Threads == 1 || count == 1)
        {
            for (int i = 0; i < count; i++) body.Invoke(i);
            return;
        }
        var copy = body;
        Parallel.For(0, count, _options, i => copy.Invoke(i));
    }

    public void Dispose() { }
}
