using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>A point of an accuracy-against-tokens curve.</summary>
/// <param name="Series">The curve: system1, maj@k, best-of-k, pass@k, or a method with its scaled sizes.</param>
/// <param name="Label">The point: "maj@4", "mcts @ simulations=8", "mcts".</param>
/// <param name="Oracle">pass@k: any of k samples correct, a bound on what a perfect ranker could pick, not a method.</param>
public sealed record ComputePoint(string Series, string Label, ProblemScores Scores, bool Oracle = false)
{
    public double GeneratedTokensPerProblem => Scores.GeneratedTokensPerProblem ?? double.NaN;
}

/// <summary>A search against a sampling method given at least as many tokens: maj@k or best-of-k with the smallest such k.</summary>
public sealed record MatchedBudget(string Label, int K, double GeneratedTokensPerProblem, Interval Accuracy, PairedTest Test);

/// <summary>
/// Whether a search (a method other than System 1 and the sampling curves, at one of its sizes) is ahead at equal compute.
/// </summary>
/// <param name="VersusSystemOne">Paired test of the search against System 1 on the same problems.</param>
/// <param name="VersusMajority">Against maj@k at the smallest k whose samples cost at least the search's tokens; null when
/// even all the samples cost less (<see cref="SamplesNeeded"/> says how many would).</param>
/// <param name="VersusBest">Against best-of-k at that k.</param>
public sealed record ComputeVerdict(ComputePoint Search, PairedTest? VersusSystemOne, MatchedBudget? VersusMajority, MatchedBudget? VersusBest, int? SamplesNeeded);

/// <summary>
/// One iteration's equal-compute comparison, from its per-problem outcomes: accuracy against generated tokens per problem
/// for System 1, maj@k, best-of-k and pass@k (k = 1, 2, 4, ... up to the sampling run's n, by subsets of its samples) and
/// every search at each evaluated size; and for each search, whether it is ahead of System 1 and of maj@k and best-of-k
/// at the same tokens, by paired tests over problems. A search spending T tokens per problem is matched with the
/// smallest k whose k samples cost at least T on average (k/n of the sampling run's tokens), so the sampling methods
/// never get fewer tokens than the search: search wins only if it is ahead even so. Tokens are generated tokens; value
/// calls are shown beside them but do not count towards the match.
/// </summary>
public sealed record ComputeComparison(int Iteration, IReadOnlyList<ComputePoint> Points, IReadOnlyList<ComputeVerdict> Verdicts, int? Samples)
{
    /// <summary>Significance level of the verdicts' wording ("ahead", "behind").</summary>
    public const double Alpha = 0.05;

    public const string Majority = "maj@k", BestOfK = "best-of-k", PassAtK = "pass@k";

    /// <summary>Every iteration's comparison, by iteration; iterations without outcomes with tokens have none.</summary>
    public static IReadOnlyDictionary<int, ComputeComparison> ForEachIteration(IReadOnlyList<ProblemOutcome> outcomes) =>
        outcomes.Select(o => o.Iteration).Distinct().Order()
            .Select(i => Of(outcomes, i)).OfType<ComputeComparison>().ToDictionary(c => c.Iteration);

    /// <summary>Null when the iteration has no outcomes with generated tokens (runs from before tokens were recorded).</summary>
    public static ComputeComparison? Of(IReadOnlyList<ProblemOutcome> outcomes, int iteration)
    {
        var rows = outcomes.Where(o => o.Iteration == iteration && o.GeneratedTokens is not null).ToList();
        if (rows.Count == 0) return null;
        var points = new List<ComputePoint>();
        var methods = rows.Select(o => o.Method).Distinct().ToList();
        var sampling = rows.Where(o => o.Samples is not null).ToList();
        var samplingMethods = sampling.Select(o => o.Method).ToHashSet();
        ComputePoint? systemOne = null;
        var searches = new List<ComputePoint>();
        foreach (string method in methods.Where(m => !samplingMethods.Contains(m)))
        {
            bool oracle = Evaluator.IsPassAtK(method);
            var point = new ComputePoint(EvaluationPlan.MethodOf(method), method, ProblemScores.TopOne(rows, iteration, method)!, oracle);
            if (method == MethodResult.Baseline) systemOne = point;
            else if (!oracle) searches.Add(point);
            points.Add(point);
        }

        int? n = null;
        if (samplingMethods.Count > 1)
            throw new InvalidDataException($"iteration {iteration} has several sampling runs ({string.Join(", ", samplingMethods)}); the curves take one");
        // A problem whose budget allowed no sample at all leaves nothing to take subsets of: no curves then.
        if (sampling.Count > 0 && sampling.Min(o => o.Samples!.Count) == 0) sampling = [];
        if (sampling.Count > 0)
        {
            n = sampling.Min(o => o.Samples!.Count);
            for (int k = 1; ; k = Math.Min(2 * k, n.Value))
            {
                points.Add(new ComputePoint(Majority, $"maj@{k}", ProblemScores.AtK(sampling, k, SampleSubsets.MajorityAtK, ranksByValue: false)));
                points.Add(new ComputePoint(BestOfK, $"best-of-{k}", ProblemScores.AtK(sampling, k, SampleSubsets.BestAtK, ranksByValue: true)));
                points.Add(new ComputePoint(PassAtK, $"pass@{k}", ProblemScores.AtK(sampling, k, (s, kk, _) => SampleSubsets.PassAtK(s, kk), ranksByValue: false), Oracle: true));
                if (k == n) break;
            }
        }

        var verdicts = searches.Select(search => Verdict(search, systemOne, sampling, n)).ToList();
        return new ComputeComparison(iteration, points.OrderBy(p => p.Series == MethodResult.Baseline ? 0 : 1).ToList(), verdicts, n);
    }

    private static ComputeVerdict Verdict(ComputePoint search, ComputePoint? systemOne, IReadOnlyList<ProblemOutcome> sampling, int? n)
    {
        var versusSystemOne = systemOne is null ? null : search.Scores.PairedWith(systemOne.Scores);
        double tokens = search.GeneratedTokensPerProblem;
        if (n is not { } samples) return new ComputeVerdict(search, versusSystemOne, null, null, null);
        double tokensPerSample = sampling.Average(o => (double)o.GeneratedTokens!.Value / o.Samples!.Count);
        if (!(tokensPerSample > 0)) return new ComputeVerdict(search, versusSystemOne, null, null, null);
        int k = Math.Max(1, (int)Math.Ceiling(tokens / tokensPerSample - 1e-9));
        if (k > samples) return new ComputeVerdict(search, versusSystemOne, null, null, k);
        MatchedBudget Match(string label, Func<Metrics.SampledAnswers, int, Random, double> score, bool ranksByValue)
        {
            var scores = ProblemScores.AtK(sampling, k, score, ranksByValue);
            return new MatchedBudget(label, k, scores.GeneratedTokensPerProblem ?? double.NaN, scores.Accuracy, search.Scores.PairedWith(scores));
        }
        return new ComputeVerdict(search, versusSystemOne, Match($"maj@{k}", SampleSubsets.MajorityAtK, false), Match($"best-of-{k}", SampleSubsets.BestAtK, true), null);
    }

    /// <summary>"ahead (+12.0 points, p=0.003)", "behind (...)" or "not significantly different (...)", at <see cref="Alpha"/>.</summary>
    public static string Verdict(PairedTest test)
    {
        string points = FormattableString.Invariant($"{100 * test.MeanDifference:+0.0;-0.0;0.0} points, {SummaryReport.PValue(test.PValue)}");
        return test.PValue < Alpha && test.MeanDifference > 0 ? $"ahead ({points})"
            : test.PValue < Alpha && test.MeanDifference < 0 ? $"behind ({points})"
            : $"not significantly different ({points})";
    }
}
