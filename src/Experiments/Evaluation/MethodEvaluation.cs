using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// One method over the evaluated problems: top-1 accuracy with its Wilson 95% interval, compute per problem and the
/// total wall time, and the per-problem results the paired tests use.
/// </summary>
public sealed record MethodEvaluation(
    string Name,
    int N,
    int Correct,
    Interval Accuracy,
    double MeanReward,
    double MeanGeneratedTokens,
    double MeanPolicyTokens,
    double MeanValueEvaluations,
    double MeanNodes,
    double Seconds,
    IReadOnlyList<ProblemResult> Outcomes)
{
    /// <summary>For methods that ask the value model (best-of-n, beam, ToT, MCTS): how well its values ranked the states
    /// the search met, pooled over problems (finished states against the verifier, partial ones against the task's
    /// oracle). Null for methods that value nothing.</summary>
    public ValueRanking? Value { get; init; }

    /// <summary>The AUC of the value over finished states (best-of-n's candidates): 0.5 cannot rank answers. Null: not
    /// measured, or no correct (or no wrong) answer to rank.</summary>
    public double? ValueAuc => Value?.FinishedAuc;

    public static MethodEvaluation From(string name, IReadOnlyList<ProblemResult> outcomes)
    {
        if (outcomes.Count == 0) throw new ArgumentException($"method {name} has no outcomes", nameof(outcomes));
        var correct = outcomes.Count(o => o.Correct);
        return new MethodEvaluation(name, outcomes.Count, correct, Proportions.Wilson(correct, outcomes.Count),
            outcomes.Average(o => o.Reward), outcomes.Average(o => (double)o.GeneratedTokens), outcomes.Average(o => (double)o.PolicyTokens),
            outcomes.Average(o => (double)o.ValueEvaluations), outcomes.Average(o => (double)o.Nodes), outcomes.Sum(o => o.Seconds), outcomes);
    }
}
