using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// The proposer and value model that one search sees when it shares a policy with other searches: each call becomes an
/// <see cref="InferenceRequest"/> handed to <paramref name="submit"/>, which returns the request's answer once the batch
/// holding it has run (<see cref="InferenceBatch"/>): an Ask to the loop's inference server, or a wait in
/// <see cref="ConcurrentSearches"/>. <see cref="ISearch.Run"/> is synchronous, so the wait blocks the search's own thread.
/// Releases are kept until the next request carries them; call <see cref="Flush"/> when the search is over. One client
/// per search, used from one thread.
/// </summary>
public sealed class InferenceClient(Func<InferenceRequest, object> submit) : IStepProposer, IValueEstimator
{
    private List<StateHandle> _releases = [];

    public RootState Begin(Problem problem, string prompt) => Ask<RootState>(new BeginState(problem, prompt, TakeReleases()));

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request) =>
        Ask<IReadOnlyList<IReadOnlyList<StepProposal>>>(new ProposeSteps(states, request, TakeReleases()));

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) =>
        Ask<IReadOnlyList<float>>(new EvaluateStates(problem, states, TakeReleases()));

    public void Release(StateHandle state) => _releases.Add(state);

    /// <summary>Sends the releases still held and waits until they are freed.</summary>
    public void Flush()
    {
        if (_releases.Count > 0) Ask<StatesReleased>(new ReleaseStates(TakeReleases()));
    }

    private List<StateHandle> TakeReleases()
    {
        var taken = _releases;
        _releases = [];
        return taken;
    }

    private T Ask<T>(InferenceRequest request) => (T)submit(request);
}
