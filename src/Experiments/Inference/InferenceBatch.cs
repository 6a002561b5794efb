using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// Several searches' requests to one policy answered in as few backend calls as possible (AlphaZero's batched
/// evaluation across games): proposals at the same temperature and step length become one batched generation over all
/// their states, each request drawn from its own seed (<see cref="IBatchedProposer"/>), and value requests become one
/// call when the value model reads the state only. This is the one batching of the project: the loop's inference server
/// gathers its batches from its mailbox, <see cref="ConcurrentSearches"/> (eval) from its search threads, and both run
/// them here.
/// </summary>
public static class InferenceBatch
{
    /// <summary>Answers one batch, request i by reply i: releases first (they free cache slots), then begins, proposals and
    /// values. An exception fails the whole batch.</summary>
    public static IReadOnlyList<object> Run(InferenceBackend backend, IReadOnlyList<InferenceRequest> requests, InferenceCounters counters)
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
            .GroupBy(i => (((ProposeSteps)requests[i]).Request.Temperature, ((ProposeSteps)requests[i]).Request.MaxStepTokens));
        foreach (var group in proposals)
        {
            var members = group.ToList();
            var calls = members.Select(i => (ProposeSteps)requests[i]).Select(p => new ProposeCall(p.States, p.Request)).ToList();
            var answers = Propose(backend.Proposer, calls, counters);
            for (int k = 0; k < members.Count; k++) replies[members[k]] = answers[k];
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

    /// <summary>One generation for all the calls when the proposer can draw each from its own seed; otherwise one call
    /// each, since merging them would draw every search's proposals from one request's seed.</summary>
    private static IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IStepProposer proposer, IReadOnlyList<ProposeCall> calls, InferenceCounters counters)
    {
        if (proposer is IBatchedProposer batched)
        {
            var answers = batched.Propose(calls);
            counters.CountPropose(calls.Sum(c => c.States.Count));
            return answers;
        }
        return calls.Select(call =>
        {
            var answer = proposer.Propose(call.States, call.Request);
            counters.CountPropose(call.States.Count);
            return answer;
        }).ToList();
    }
}
