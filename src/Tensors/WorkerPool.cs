using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

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
/// <remarks>
/// Threads - 1 persistent workers plus the calling thread claim the indices one by one from a shared ticket; the
/// caller waits only for indices in flight, so a worker the OS has not woken yet never delays a loop.
/// Between loops a worker spins briefly (a decode step issues loops microseconds apart), then blocks on a monitor,
/// so an idle pool costs no CPU. A <c>For</c> allocates nothing. Calls from several threads are serialised by a
/// lock: the pool runs one loop at a time. A <c>For</c> issued from inside a body runs inline on that thread.
/// An exception thrown by a body is rethrown on the caller once every index has run; the pool stays usable.
/// </remarks>
public sealed unsafe class WorkerPool : IDisposable
{
    // How long an idle worker polls for the next loop before it blocks: long enough to bridge the gap between the
    // kernels of one decode step, short enough not to steal a core from other processes when the model is idle.
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000; // 100 microseconds

    // The index half of a ticket while the caller rewrites the loop's fields: above any count, so nothing is claimed.
    private const int Closed = int.MaxValue;

    // True on a thread while it runs a body (workers always), so a nested For runs inline instead of deadlocking.
    [ThreadStatic] private static bool t_insideBody;

    private readonly Thread[] _workers;
    private readonly object _callerLock = new();
    private readonly object _sleepLock = new();

    // The loop being run. Written by the caller before _generation is bumped, read by workers after they see it.
    private delegate*<void*, int, void> _invoke;
    private void* _body;
    private int _count;
    // (generation << 32) | next unclaimed index. Claiming by compare-and-swap on both halves means a worker that
    // read the fields of an older loop can never run an index of a newer one.
    private long _ticket;
    private int _done;            // indices finished in the current loop
    private int _generation;      // bumped once per loop to wake workers
    private int _sleepers;        // workers blocked on _sleepLock
    private volatile bool _disposed;
    private Exception? _firstError;

    public WorkerPool(int threads = 0)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be >= 0 (0 = all cores)");
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _workers = new Thread[Threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"WorkerPool {i + 1}/{Threads}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Runs <c>body.Invoke(i)</c> for every i in [0, count), each exactly once, and returns when all have run.
    /// The body is copied; indices run concurrently and in no particular order.</summary>
    public void For<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (_workers.Length == 0 || count == 1 || t_insideBody)
        {
            Exception? first = null;
            for (int i = 0; i < count; i++)
            {
                try { body.Invoke(i); }
                catch (Exception error) { first ??= error; }
            }
            if (first != null) ExceptionDispatchInfo.Capture(first).Throw();
            return;
        }
        // The copy lives on this stack frame, which outlives the loop, so workers may hold its address.
        TBody copy = body;
        lock (_callerLock)
        {
            // Close the ticket before touching the loop's fields. A worker still holding a ticket it read during the
            // previous loop would otherwise claim it by compare-and-swap once _count has grown, run a stale body and
            // add to the new loop's _done, which then passes count and the caller waits forever.
            int generation = _generation + 1;
            Interlocked.Exchange(ref _ticket, ((long)generation << 32) | Closed);
            _invoke = &InvokeBody<TBody>;
            _body = Unsafe.AsPointer(ref copy);
            _count = count;
            _done = 0;
            _firstError = null;
            Interlocked.Exchange(ref _ticket, (long)generation << 32); // full fence: publishes the fields above
            Interlocked.Exchange(ref _generation, generation);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_sleepLock) Monitor.PulseAll(_sleepLock);

            t_insideBody = true;
            RunIndices();
            t_insideBody = false;

            // Wait for indices still running on workers, not for workers that never woke up: on a busy machine a
            // descheduled worker would otherwise hold every loop for a whole time slice.
            var wait = new SpinWait();
            while (Volatile.Read(ref _done) != count) wait.SpinOnce(sleep1Threshold: -1);
            _body = null;
            var error = _firstError;
            _firstError = null;
            if (error != null) ExceptionDispatchInfo.Capture(error).Throw();
        }
    }

    private static void InvokeBody<TBody>(void* body, int index) where TBody : struct, IParallelBody =>
        Unsafe.AsRef<TBody>(body).Invoke(index);

    private void RunIndices()
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            var invoke = _invoke;
            var body = _body;
            if ((int)ticket >= _count) return;
            // Fails if another thread took this index or a newer loop replaced the fields just read.
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            try { invoke(body, (int)ticket); }
            catch (Exception error) { Interlocked.CompareExchange(ref _firstError, error, null); }
            Interlocked.Increment(ref _done);
        }
    }

    private void WorkerLoop()
    {
        t_insideBody = true;
        int seen = 0;
        while (true)
        {
            if (!AwaitGeneration(seen)) return;
            seen = Volatile.Read(ref _generation);
            RunIndices();
        }
    }

    /// <summary>Waits until a loop newer than <paramref name="seen"/> is published; false once disposed.</summary>
    private bool AwaitGeneration(int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _generation) == seen)
        {
            if (_disposed) return false;
            if (Stopwatch.GetTimestamp() > deadline)
            {
                lock (_sleepLock)
                {
                    // Announce the sleep before re-checking: the caller bumps _generation and then reads _sleepers,
                    // so either it sees this sleeper and pulses, or this re-check sees its generation.
                    Interlocked.Increment(ref _sleepers);
                    while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_sleepLock);
                    Interlocked.Decrement(ref _sleepers);
                }
                continue;
            }
            Thread.SpinWait(8);
        }
        return !_disposed;
    }

    /// <summary>Stops and joins the workers. Must not be called while a loop runs.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_sleepLock) Monitor.PulseAll(_sleepLock);
        foreach (var worker in _workers) worker.Join();
    }
}
