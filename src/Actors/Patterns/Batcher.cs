using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Patterns;

/// <summary>
/// Gathers requests from many askers into batches and answers each asker with its own response: the
/// pattern of the inference server, where n search workers' policy/value calls become one forward pass.
/// Ask it with <see cref="Submit"/>; the reply is the TResponse at the request's position in the batch
/// function's output, or, if the batch function throws, a <see cref="Status.Failure"/> with that exception
/// for every request of that batch (the actor itself carries on). Replies go out in request order.
/// <see cref="SwapBatchFunction"/> takes effect between batches: requests told before it are answered by
/// the old function, after it by the new one (the weights of a new checkpoint).
/// </summary>
internal sealed class Batcher<TRequest, TResponse> : ReceiveActor
{
    private readonly BatcherOptions _options;
    private Func<IReadOnlyList<TRequest>, ValueTask<IReadOnlyList<TResponse>>> _batchFunction;
    private string _checkpointId;
    private List<(TRequest Request, IActorRef Asker)> _pending = [];
    // Identifies the batch being gathered, so a MaxWait timer set for an earlier batch flushes nothing.
    private long _batchNumber;
    private long _batches;
    private long _items;
    private long _failedBatches;
    private int _largestBatch;

    public Batcher(Func<IReadOnlyList<TRequest>, ValueTask<IReadOnlyList<TResponse>>> batchFunction, string checkpointId, BatcherOptions options)
    {
        if (options.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatch, "MaxBatch must be >= 1.");
        _batchFunction = batchFunction;
        _checkpointId = checkpointId;
        _options = options;

        ReceiveAsync<Submit>(OnSubmitAsync);
        ReceiveAsync<FlushDue>(async due => { if (due.BatchNumber == _batchNumber) await FlushAsync(); });
        ReceiveAsync<SwapBatchFunction>(OnSwapAsync);
        Receive<GetStatistics>(_ => Sender.Tell(new Statistics(_batches, _items, _failedBatches, _largestBatch, _checkpointId), Self));
    }

    /// <summary>One request; the asker gets one TResponse back.</summary>
    public sealed record Submit(TRequest Request);

    /// <summary>Answers pending requests with the current function, then uses <paramref name="BatchFunction"/>;
    /// replies <see cref="BatchFunctionSwapped"/>.</summary>
    public sealed record SwapBatchFunction(Func<IReadOnlyList<TRequest>, ValueTask<IReadOnlyList<TResponse>>> BatchFunction, string CheckpointId);

    public sealed record BatchFunctionSwapped(string CheckpointId);

    /// <summary>Replies <see cref="Statistics"/>.</summary>
    public sealed record GetStatistics;

    /// <summary>Counts since start: <paramref name="Items"/> requests in <paramref name="Batches"/> calls of
    /// the batch function, <paramref name="FailedBatches"/> of which threw.</summary>
    public sealed record Statistics(long Batches, long Items, long FailedBatches, int LargestBatch, string CheckpointId)
    {
        public double MeanBatchSize => Batches == 0 ? 0 : (double)Items / Batches;
    }

    private sealed record FlushDue(long BatchNumber);

    private async Task OnSubmitAsync(Submit submit)
    {
        _pending.Add((submit.Request, Sender));
        if (_pending.Count >= _options.MaxBatch) await FlushAsync();
        else if (_pending.Count == 1) Context.System.ScheduleTellOnce(_options.MaxWait, Self, new FlushDue(_batchNumber), Self);
    }

    private async Task OnSwapAsync(SwapBatchFunction swap)
    {
        if (_pending.Count > 0) await FlushAsync();
        _batchFunction = swap.BatchFunction;
        _checkpointId = swap.CheckpointId;
        Sender.Tell(new BatchFunctionSwapped(swap.CheckpointId), Self);
    }

    private async Task FlushAsync()
    {
        var batch = _pending;
        _pending = [];
        _batchNumber++;
        _batches++;
        _items += batch.Count;
        _largestBatch = Math.Max(_largestBatch, batch.Count);

        IReadOnlyList<TResponse> responses;
        try
        {
            responses = await _batchFunction([.. batch.Select(b => b.Request)]);
            if (responses.Count != batch.Count)
                throw new InvalidOperationException($"Batch function of checkpoint {_checkpointId} returned {responses.Count} responses for {batch.Count} requests.");
        }
        catch (Exception exception)
        {
            // The failure belongs to this batch's askers, not to the actor: the next batch may well succeed.
            _failedBatches++;
            foreach (var (_, asker) in batch) asker.Tell(new Status.Failure(exception), Self);
            return;
        }
        for (var i = 0; i < batch.Count; i++) batch[i].Asker.Tell(responses[i]!, Self);
    }
}
