using Akka.Actor;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// One policy for a node's search workers (AlphaZero's batched evaluation across games): the workers' proposer and value
/// calls arrive as <see cref="Submit"/>s, and the server gathers them into a batch that runs as few backend calls as
/// possible: the Propose requests that ask for the same count, temperature and step length become one call over all
/// their states, and value requests become one call when the value model reads the state only. A batch runs when it
/// holds <see cref="InferenceBatching.MaxBatch"/> requests or when the mailbox holds no more (the server tells itself to
/// flush behind the requests already queued: no timer, whose 10 ms tick would cost more than batching saves), and
/// every asker gets its own answer (or the batch's exception as a <see cref="Status.Failure"/>; the server carries on).
/// The server runs its batches inline, so it lives on a pinned dispatcher: a thread of its own, and the requests that
/// arrive during a batch make up the next one. <see cref="LoadCheckpoint"/> swaps the backend between
/// batches, by checkpoint path: weights are never shared with the learner. Merged calls draw from the first request's
/// seed, so a run repeats exactly with one worker.
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
            replies = RunBatch(backend, [.. batch.Select(b => b.Request)], _counters);
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

    /// <summary>Answers one batch: releases first (they free cache slots), then begins, merged proposals and values.</summary>
    internal static IReadOnlyList<object> RunBatch(InferenceBackend backend, IReadOnlyList<InferenceRequest> requests, InferenceCounters counters)
    {
        counters.CountRequests(requests.Count);
        foreach (var request in requests)
            foreach (var handle in request.Releases) backend.Proposer.Release(handle);

        var replies = new object[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            switch (requests[i])
            {
                case BeginState begin:
                    replies[i] = backend.Proposer.Begin(begin.Problem, begin.Prompt);
                    break;
                case ReleaseStates:
                    replies[i] = new StatesReleased();
                    break;
            }
        }

        var proposals = Enumerable.Range(0, requests.Count).Where(i => requests[i] is ProposeSteps)
            .GroupBy(i => ((ProposeSteps)requests[i]).Request with { Seed = 0 });
        foreach (var group in proposals)
        {
            var members = group.ToList();
            var states = members.SelectMany(i => ((ProposeSteps)requests[i]).States).ToList();
            var answered = backend.Proposer.Propose(states, ((ProposeSteps)requests[members[0]]).Request);
            counters.CountPropose(states.Count);
            int offset = 0;
            foreach (var i in members)
            {
                int count = ((ProposeSteps)requests[i]).States.Count;
                replies[i] = answered.Skip(offset).Take(count).ToList();
                offset += count;
            }
        }

        var evaluations = Enumerable.Range(0, requests.Count).Where(i => requests[i] is EvaluateStates).ToList();
        var valueGroups = backend.ValueReadsStateOnly
            ? (evaluations.Count > 0 ? [evaluations] : [])
            : evaluations.Select(i => new List<int> { i }).ToList();
        foreach (var members in valueGroups)
        {
            var first = (EvaluateStates)requests[members[0]];
            var states = members.SelectMany(i => ((EvaluateStates)requests[i]).States).ToList();
            var values = backend.Value.Evaluate(first.Problem, states);
            counters.CountValue(states.Count);
            int offset = 0;
            foreach (var i in members)
            {
                int count = ((EvaluateStates)requests[i]).States.Count;
                replies[i] = values.Skip(offset).Take(count).ToList();
                offset += count;
            }
        }
        return replies;
    }
}

/// <summary>What a search worker asks of the policy. <paramref name="Releases"/>: handles the worker's search no longer
/// needs, freed before the request runs (they ride along instead of costing a message each).</summary>
internal abstract record InferenceRequest(IReadOnlyList<StateHandle> Releases);

/// <summary>Encode a prompt; replies <see cref="RootState"/>.</summary>
internal sealed record BeginState(Problem Problem, string Prompt, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Next steps for each state; replies IReadOnlyList&lt;IReadOnlyList&lt;StepProposal&gt;&gt;.</summary>
internal sealed record ProposeSteps(IReadOnlyList<StateHandle> States, ProposeRequest Request, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Values of states; replies IReadOnlyList&lt;float&gt;.</summary>
internal sealed record EvaluateStates(Problem Problem, IReadOnlyList<NodeState> States, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Only frees handles (the end of a search); replies <see cref="StatesReleased"/>.</summary>
internal sealed record ReleaseStates(IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

internal sealed record StatesReleased;

/// <summary>A batch runs when it holds <paramref name="MaxBatch"/> requests, or sooner when no more are waiting.</summary>
internal sealed record InferenceBatching(int MaxBatch = 32);
