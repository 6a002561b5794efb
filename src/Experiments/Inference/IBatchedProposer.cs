using Reasoner.Search;

namespace Reasoner.Experiments.Inference;

/// <summary>One search's <see cref="IStepProposer.Propose"/> call among several searches' calls answered together.</summary>
public sealed record ProposeCall(IReadOnlyList<StateHandle> States, ProposeRequest Request);

/// <summary>
/// A step proposer that answers several searches' calls at once, in one batched generation over all their states. Each
/// call is drawn from its own <see cref="ProposeRequest.Seed"/>, so a search gets the draws it would get alone, whoever
/// shares its batch. The calls share the temperature and the longest step; their counts may differ.
/// </summary>
public interface IBatchedProposer : IStepProposer
{
    /// <summary>For each call, what <see cref="IStepProposer.Propose"/> would answer it.</summary>
    IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IReadOnlyList<ProposeCall> calls);
}
