using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// Exact McNemar test of method A against method B on the same problems: OnlyA problems solved by A alone, OnlyB by B
/// alone; the p-value is two-sided.
/// </summary>
public sealed record PairedComparison(string A, string B, int OnlyA, int OnlyB, double PValue)
{
    /// <summary>Pairs the two methods' outcomes by problem id; both must have run the same problems.</summary>
    public static PairedComparison Of(MethodEvaluation a, MethodEvaluation b)
    {
        var bById = b.Outcomes.ToDictionary(o => o.ProblemId, o => o.Correct);
        if (bById.Count != a.Outcomes.Count || a.Outcomes.Any(o => !bById.ContainsKey(o.ProblemId)))
            throw new ArgumentException($"methods {a.Name} and {b.Name} were not run on the same problems");
        int onlyA = 0, onlyB = 0;
        foreach (var outcome in a.Outcomes)
        {
            var other = bById[outcome.ProblemId];
            if (outcome.Correct && !other) onlyA++;
            else if (!outcome.Correct && other) onlyB++;
        }
        return new PairedComparison(a.Name, b.Name, onlyA, onlyB, Proportions.McNemarExact(onlyA, onlyB));
    }
}
