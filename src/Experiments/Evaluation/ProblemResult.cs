namespace Reasoner.Experiments.Evaluation;

/// <summary>One problem under one method: whether the verifier accepted the chosen answer, and what it cost.</summary>
/// <param name="Correct">The verifier's verdict on the method's chosen completion (top-1), or on the row's own rule
/// for the pass@k and maj@k rows of <c>sample</c>.</param>
/// <param name="Reward">The verdict's reward under the evaluation's reward config.</param>
/// <param name="Answer">The chosen completion's parsed answer, null without an answer line.</param>
/// <param name="PolicyTokens">Tokens the policy ran forward (prompt included).</param>
/// <param name="ValueEvaluations">States the value model scored.</param>
/// <param name="Nodes">Nodes of the search tree, root included (its size: what search throughput counts).</param>
/// <param name="Seconds">The search's wall time; searched together with others, it includes the batches it shared.</param>
/// <param name="Samples">The sampling run of the equal-compute curves only: every sample's answer, verdict and value.</param>
public sealed record ProblemResult(
    string ProblemId,
    bool Correct,
    double Reward,
    string? Answer,
    long GeneratedTokens,
    long PolicyTokens,
    long ValueEvaluations,
    int Nodes,
    double Seconds,
    Metrics.SampledAnswers? Samples = null);
