using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// Exact McNemar test between two methods on the same problems. B counts problems only the first method solved,
/// C those only the second solved; Pairs is how many problems both were run on.
/// </summary>
internal sealed record PairedTest(int Pairs, int B, int C, double PValue)
{
    /// <summary>
    /// Pairs the outcomes of <paramref name="first"/> and <paramref name="second"/> in one iteration by problem id (a
    /// problem evaluated several times, e.g. under several seeds, pairs its k-th outcomes). Null when no problem was
    /// run by both.
    /// </summary>
    public static PairedTest? Compute(IEnumerable<ProblemOutcome> outcomes, int iteration, string first, string second)
    {
        var inIteration = outcomes.Where(o => o.Iteration == iteration).ToList();
        var firstByProblem = inIteration.Where(o => o.Method == first).GroupBy(o => o.ProblemId).ToDictionary(g => g.Key, g => g.ToList());
        int pairs = 0, b = 0, c = 0;
        foreach (var group in inIteration.Where(o => o.Method == second).GroupBy(o => o.ProblemId))
        {
            if (!firstByProblem.TryGetValue(group.Key, out var firstOutcomes))
            {
                continue;
            }
            foreach (var (x, y) in firstOutcomes.Zip(group))
            {
                pairs++;
                b += x.Correct && !y.Correct ? 1 : 0;
                c += !x.Correct && y.Correct ? 1 : 0;
            }
        }
        return pairs == 0 ? null : new PairedTest(pairs, b, c, Proportions.McNemarExact(b, c));
    }
}
