using System.Runtime.ExceptionServices;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// Searches many problems, K at a time, through one policy, their calls batched together (<see cref="InferenceBatch"/>,
/// as the loop's inference server batches its search workers' calls): one search alone decodes a few rows per call and
/// leaves the second core idle in the small matrix products; K searches' rows in one call keep both cores busy. Each
/// search runs on a thread of its own and blocks on its calls (<see cref="InferenceClient"/>). A batch runs as soon as
/// every search in flight is waiting on one, on the thread of the last to ask: nothing waits for a timer, and no
/// thread sits between the searches and the model. A search's draws come from its own seed whoever shares its batches,
/// so its result does not depend on K, except where a larger batch rounds floats differently (the engine's product for
/// a few rows sums in another order than its blocked one).
/// </summary>
public static class ConcurrentSearches
{
    /// <summary>
    /// Runs <paramref name="search"/>(i, client) for every i in [0, count), at most <paramref name="parallel"/> at once,
    /// and returns the results by i. A client serves one search; its releases are flushed when the search returns.
    /// <paramref name="progress"/> is told the number of searches finished after each, one call at a time. The first
    /// exception of a search (or of a batch, which fails every search in it) stops the others from starting new searches
    /// and is rethrown once they have finished.
    /// </summary>
    public static T[] Run<T>(InferenceBackend backend, int count, int parallel, Func<int, InferenceClient, T> search,
        InferenceCounters? counters = null, Action<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var results = new T[count];
        int threads = Math.Min(parallel, count);
        if (threads == 0) return results;
        var gate = new Gate(backend, counters ?? new InferenceCounters(), threads);
        int next = -1, finished = 0;
        ExceptionDispatchInfo? failure = null;
        var progressLock = new object();

        void Work()
        {
            try
            {
                for (int i = Interlocked.Increment(ref next); i < count && Volatile.Read(ref failure) is null; i = Interlocked.Increment(ref next))
                {
                    var client = new InferenceClient(gate.Submit);
                    results[i] = search(i, client);
                    client.Flush();
                    lock (progressLock) progress?.Invoke(++finished);
                }
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
            }
            finally
            {
                gate.Leave();
            }
        }

        var workers = Enumerable.Range(0, threads).Select(k => new Thread(Work) { IsBackground = true, Name = $"search {k + 1}/{threads}" }).ToList();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
        failure?.Throw();
        return results;
    }

    /// <summary>
    /// Gathers the searches' requests into batches: a batch runs when every search still in flight has asked (a search
    /// asks one thing at a time, so no more can come), on the thread of the last to ask or of the last to leave.
    /// </summary>
    private sealed class Gate(InferenceBackend backend, InferenceCounters counters, int participants)
    {
        private readonly object _lock = new();
        private List<Pending> _pending = [];
        private int _participants = participants;

        private sealed class Pending(InferenceRequest request)
        {
            public InferenceRequest Request { get; } = request;
            public object? Reply { get; set; }
            public Exception? Error { get; set; }
            public bool Answered => Reply is not null || Error is not null;
        }

        /// <summary>The request's answer, once the batch holding it has run; the batch's exception if it failed.</summary>
        public object Submit(InferenceRequest request)
        {
            var pending = new Pending(request);
            lock (_lock)
            {
                _pending.Add(pending);
                if (_pending.Count == _participants) RunBatch();
                while (!pending.Answered) Monitor.Wait(_lock);
            }
            return pending.Reply ?? throw new InvalidOperationException($"a batch of the searches' inference failed: {pending.Error!.Message}", pending.Error);
        }

        /// <summary>A search thread is done: the others no longer wait for its requests.</summary>
        public void Leave()
        {
            lock (_lock)
            {
                _participants--;
                if (_pending.Count > 0 && _pending.Count == _participants) RunBatch();
            }
        }

        /// <summary>Runs the pending batch (holding the lock: every other participant is waiting on it) and wakes the askers.</summary>
        private void RunBatch()
        {
            var batch = _pending;
            _pending = [];
            try
            {
                var replies = InferenceBatch.Run(backend, [.. batch.Select(p => p.Request)], counters);
                for (int i = 0; i < batch.Count; i++) batch[i].Reply = replies[i];
            }
            catch (Exception error)
            {
                // The batch's failure is each of its searches' failure; the searches decide what to do with it.
                foreach (var pending in batch) pending.Error = error;
            }
            Monitor.PulseAll(_lock);
        }
    }
}
