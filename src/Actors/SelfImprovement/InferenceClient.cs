using Akka.Actor;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// The proposer and value model a search worker's search sees: each call is an Ask to the <see cref="InferenceServer"/>,
/// waited for synchronously because <see cref="ISearch.Run"/> is synchronous (the worker runs its search on a thread of
/// its own, so the wait blocks no pool thread). Releases are kept until the next request carries them; call
/// <see cref="Flush"/> when the search is over. One client per search, used from one thread. <paramref name="cancellation"/>
/// ends a wait when the search worker stops (its search then throws and is abandoned).
/// </summary>
internal sealed class InferenceClient(IActorRef server, TimeSpan timeout, CancellationToken cancellation) : IStepProposer, IValueEstimator
{
    private List<StateHandle> _releases = [];

    public RootState Begin(Problem problem, string prompt) => Ask<RootState>(new BeginState(problem, prompt, TakeReleases()));

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request) =>
        Ask<IReadOnlyList<IReadOnlyList<StepProposal>>>(new ProposeSteps(states, request, TakeReleases()));

    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) =>
        Ask<IReadOnlyList<float>>(new EvaluateStates(problem, states, TakeReleases()));

    public void Release(StateHandle state) => _releases.Add(state);

    /// <summary>Sends the releases still held and waits until the server has freed them.</summary>
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

    private T Ask<T>(InferenceRequest request) =>
        (T)server.Ask<object>(new InferenceServer.Submit(request), timeout, cancellation).GetAwaiter().GetResult();
}
