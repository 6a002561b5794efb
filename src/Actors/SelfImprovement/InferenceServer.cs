using Akka.Actor;
using Reasoner.Experiments.Inference;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// One policy for a node's search workers (AlphaZero's batched evaluation across games): the workers' proposer and value
/// calls arrive as <see cref="Submit"/>s, and the server gathers them into a batch that <see cref="InferenceBatch"/> runs
/// in as few backend calls as possible, each search's proposals drawn from its own seed. A batch runs when it
/// holds <see cref="InferenceBatching.MaxBatch"/> requests or when the mailbox holds no more (the server tells itself to
/// flush behind the requests already queued: no timer, whose 10 ms tick would cost more than batching saves), and
/// every asker gets its own answer (or the batch's exception as a <see cref="Status.Failure"/>; the server carries on).
/// The server runs its batches inline, so it lives on a pinned dispatcher: a thread of its own, and the requests that
/// arrive during a batch make up the next one. <see cref="LoadCheckpoint"/> swaps the backend between
/// batches, by checkpoint path: weights are never shared with the learner.
/// </summary>
internal sealed class InferenceServer : ReceiveActor
{
    private readonly Func<string, InferenceBackend> _load;
    private readonly InferenceBatching _batching;
    private readonly InferenceCounters _counters;
    private InferenceBackend? _backend;
    private string? _checkpoint;
    private List<(InferenceRequest Request, IActorRef Asker)> _pending = [];
    // Identifies the batch being gathered, so a flush told for an earlier batch (already run when full) flushes nothing.
    private long _batchNumber;

    public InferenceServer(Func<string, InferenceBackend> load, InferenceBatching batching, InferenceCounters counters)
    {
        if (batching.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(batching), batching.MaxBatch, "MaxBatch must be >= 1.");
        (_load, _batching, _counters) = (load, batching, counters);
        Receive<Submit>(OnSubmit);
        Receive<FlushDue>(due =>
        {
            if (due.BatchNumber == _batchNumber && _pending.Count > 0) Flush();
        });
        Receive<LoadCheckpoint>(OnLoad);
    }

    /// <summary>One request of a search; the asker gets its reply (see each <see cref="InferenceRequest"/>).</summary>
    public sealed record Submit(InferenceRequest Request);

    /// <summary>Serve <paramref name="Path"/> from the next batch on; replies <see cref="CheckpointLoaded"/>.</summary>
    public sealed record LoadCheckpoint(string Path);

    public sealed record CheckpointLoaded(string Path);

    private sealed record FlushDue(long BatchNumber);

    protected override void PostStop() => _backend?.Resources?.Dispose();

    private void OnSubmit(Submit submit)
    {
        _pending.Add((submit.Request, Sender));
        if (_pending.Count >= _batching.MaxBatch) Flush();
        else if (_pending.Count == 1) Self.Tell(new FlushDue(_batchNumber));
    }

    private void OnLoad(LoadCheckpoint load)
    {
        if (_pending.Count > 0) Flush();
        InferenceBackend backend;
        try
        {
            backend = _load(load.Path);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            // The checkpoint's fault, not the server's: the asker hears why and the old weights keep serving.
            Sender.Tell(new Status.Failure(error), Self);
            return;
        }
        _backend?.Resources?.Dispose();
        (_backend, _checkpoint) = (backend, load.Path);
        Sender.Tell(new CheckpointLoaded(load.Path), Self);
    }

    private void Flush()
    {
        var batch = _pending;
        _pending = [];
        _batchNumber++;
        IReadOnlyList<object> replies;
        try
        {
            var backend = _backend ?? throw new InvalidOperationException("The inference server has no checkpoint loaded yet.");
            replies = InferenceBatch.Run(backend, [.. batch.Select(b => b.Request)], _counters);
        }
        catch (Exception error)
        {
            // The failure belongs to this batch's askers (their searches fail and are retried), not to the server: the
            // next batch may well succeed.
            foreach (var (_, asker) in batch) asker.Tell(new Status.Failure(new InvalidOperationException(
                $"inference on {_checkpoint ?? "no checkpoint"} failed: {error.Message}", error)), Self);
            return;
        }
        for (int i = 0; i < batch.Count; i++) batch[i].Asker.Tell(replies[i], Self);
    }
}

/// <summary>A batch runs when it holds <paramref name="MaxBatch"/> requests, or sooner when no more are waiting.</summary>
internal sealed record InferenceBatching(int MaxBatch = 32);
