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
    /// <summary>For value-ranked methods (best-of-n): the AUC of the value model's scores of every finished candidate
    /// against the verifier's verdict, pooled over problems; 0.5 is a value model that cannot rank answers. Null: not
    /// measured, or no correct (or no wrong) candidate to rank.</summary>
    public double? ValueAuc { get; init; }

    public static MethodEvaluation From(string name, IReadOnlyList<ProblemResult> outcomes)
    {
        if (outcomes.Count == 0) throw new ArgumentException($"method {name} has no outcomes", nameof(outcomes));
        var correct = outcomes.Count(o => o.Correct);
        return new MethodEvaluation(name, outcomes.Count, correct, Proportions.Wilson(correct, outcomes.Count),
            outcomes.Average(o => o.Reward), outcomes.Average(o => (double)o.GeneratedTokens), outcomes.Average(o => (double)o.PolicyTokens),
            outcomes.Average(o => (double)o.ValueEvaluations), outcomes.Average(o => (double)o.Nodes), outcomes.Sum(o => o.Seconds), outcomes);
    }
}
