using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>What one search asks of a shared policy (see <see cref="InferenceBatch"/>). <paramref name="Releases"/>:
/// handles the search no longer needs, freed before the request runs (they ride along instead of costing a request each).</summary>
public abstract record InferenceRequest(IReadOnlyList<StateHandle> Releases);

/// <summary>Encode a prompt; answered with a <see cref="RootState"/>.</summary>
public sealed record BeginState(Problem Problem, string Prompt, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Next steps for each state; answered with an IReadOnlyList&lt;IReadOnlyList&lt;StepProposal&gt;&gt;.</summary>
public sealed record ProposeSteps(IReadOnlyList<StateHandle> States, ProposeRequest Request, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Values of states; answered with an IReadOnlyList&lt;float&gt;.</summary>
public sealed record EvaluateStates(Problem Problem, IReadOnlyList<NodeState> States, IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

/// <summary>Only frees handles (the end of a search); answered with <see cref="StatesReleased"/>.</summary>
public sealed record ReleaseStates(IReadOnlyList<StateHandle> Releases) : InferenceRequest(Releases);

public sealed record StatesReleased;
