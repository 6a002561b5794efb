using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// One policy for all search workers (AlphaZero's batched evaluation across games): workers' proposer and value calls
/// arrive as <see cref="InferenceRequest"/>s, a child <see cref="Batcher{TRequest,TResponse}"/> gathers them, and each
/// batch runs as few backend calls as possible: the Propose requests that ask for the same count, temperature and step
/// length become one call over all their states, and value requests become one call when the value model reads the
/// state only. <see cref="LoadCheckpoint"/> swaps the backend between batches, by checkpoint path: weights are never
/// shared with the learner. Merged calls draw from the first request's seed, so a run repeats exactly with one worker.
/// </summary>
internal sealed class InferenceServer : ReceiveActor
{
    private readonly Func<string, InferenceBackend> _load;
    private readonly BatcherOptions _options;
    private readonly InferenceCounters _counters;
    private InferenceBackend? _backend;
    private IActorRef _batcher = null!;

    public InferenceServer(Func<string, InferenceBackend> load, BatcherOptions options, InferenceCounters counters)
    {
        _load = load;
        _options = options;
        _counters = counters;
        Receive<Batcher<InferenceRequest, object>.Submit>(submit => _batcher.Tell(submit, Sender));
        ReceiveAsync<LoadCheckpoint>(OnLoadAsync);
    }

    /// <summary>Serve <paramref name="Path"/> from the next batch on; replies <see cref="CheckpointLoaded"/>.</summary>
    public sealed record LoadCheckpoint(string Path);

    public sealed record CheckpointLoaded(string Path);

    protected override void PreStart() =>
        _batcher = Context.ActorOf(Props.Create(() => new Batcher<InferenceRequest, object>(
            _ => throw new InvalidOperationException("The inference server has no checkpoint loaded yet."), "none", _options)), "batcher");

    protected override void PostStop() => _backend?.Resources?.Dispose();

    private async Task OnLoadAsync(LoadCheckpoint load)
    {
        var backend = _load(load.Path);
        var counters = _counters;
        await _batcher.Ask<Batcher<InferenceRequest, object>.BatchFunctionSwapped>(
            new Batcher<InferenceRequest, object>.SwapBatchFunction(requests => new(RunBatch(backend, requests, counters)), load.Path),
            TimeSpan.FromMinutes(10));
        _backend?.Resources?.Dispose();
        _backend = backend;
        Sender.Tell(new CheckpointLoaded(load.Path), Self);
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
