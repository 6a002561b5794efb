using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>One search of the loop's evaluation, as its search workers run it.</summary>
public sealed record EvaluationSearch(SearchPlan Plan, EvaluationRole Role);

/// <summary>What one search of an evaluation leaves in the run: metrics rows, per-problem outcomes, and its accuracy.</summary>
/// <param name="Rows">One evaluation row per seed, for the evaluation's own methods only (equal-compute searches live in outcomes).</param>
/// <param name="Outcomes">One row per problem and seed, with its compute, and for the sampling run its samples.</param>
/// <param name="Accuracy">Problems solved over all seeds' searches.</param>
public sealed record EvaluationRecords(IReadOnlyList<MetricsRow> Rows, IReadOnlyList<ProblemOutcome> Outcomes, double Accuracy);

/// <summary>
/// The self-improvement loop's evaluation as plain functions, apart from the actors that run it: which searches an
/// evaluation runs, and what their episodes become in the metrics.
/// </summary>
public static class LoopEvaluation
{
    /// <summary>The configured methods (MCTS without noise, as <see cref="SearchPlan.ForEvaluation(SearchMethod, SearchConfig)"/>), then the equal-compute searches.</summary>
    public static IReadOnlyList<EvaluationSearch> Searches(EvaluationConfig config, SearchConfig search)
    {
        var methods = config.Methods.Select(m => SearchPlan.ForEvaluation(m, search)).ToList();
        var budget = new SearchBudget(MaxStepTokens: search.MaxStepTokens);
        return EvaluationPlan.For(methods.Select(m => (m.Label, m.Spec)).ToList(), config.Budgets, search.Temperature)
            // The configured methods label the states their value scored (the value's ranking); the equal-compute searches only count.
            .Select(p => new EvaluationSearch(new SearchPlan(p.Label, p.Spec, budget) { ScoresStates = p.Role == EvaluationRole.Method }, p.Role))
            .ToList();
    }

    /// <summary>The seed of held-out problem <paramref name="index"/>'s search under evaluation seed <paramref name="seed"/> of
    /// a run seeded <paramref name="runSeed"/>: the loop's evaluator and <c>eval --run</c> search every problem alike.</summary>
    public static int SearchSeed(int runSeed, int seed, int index) => SeedMix.Of(runSeed, seed, index);

    /// <summary>
    /// The records of <paramref name="search"/>'s episodes, which come seed by seed in <paramref name="seeds"/>' order,
    /// each seed's over the same problems in the same order; the evaluation's wall time is shared out evenly over seeds.
    /// </summary>
    public static EvaluationRecords Records(int iteration, EvaluationSearch search, IReadOnlyList<int> seeds, IReadOnlyList<Episode> episodes, double wallSeconds)
    {
        if (seeds.Count == 0 || episodes.Count % seeds.Count != 0)
            throw new ArgumentException($"{episodes.Count} episodes cannot be {seeds.Count} seeds' searches of the same problems", nameof(episodes));
        int problems = episodes.Count / seeds.Count;
        var rows = new List<MetricsRow>();
        var outcomes = new List<ProblemOutcome>(episodes.Count);
        string label = search.Plan.Label;
        for (int s = 0; s < seeds.Count; s++)
        {
            var seedEpisodes = episodes.Skip(s * problems).Take(problems).ToList();
            if (search.Role == EvaluationRole.Method)
                rows.Add(MetricsRow.Evaluation(iteration, label, seedEpisodes.Count(e => e.Chosen.Correct), problems,
                    meanReward: seedEpisodes.Average(e => e.Chosen.Reward),
                    generatedTokens: seedEpisodes.Sum(e => e.Spent.GeneratedTokens),
                    policyTokens: seedEpisodes.Sum(e => e.Spent.ForwardTokens),
                    valueCalls: seedEpisodes.Sum(e => e.Spent.ValueEvaluations),
                    wallSeconds: wallSeconds / seeds.Count));
            foreach (var episode in seedEpisodes)
                outcomes.Add(new ProblemOutcome(iteration, label, episode.Problem.Id, episode.Chosen.Correct, seeds[s],
                    episode.Spent.GeneratedTokens, episode.Spent.ValueEvaluations,
                    search.Role == EvaluationRole.Sampling ? SampledAnswers.Of(episode.Candidates.Select(c => (c.Answer, c.Correct, c.Score))) : null));
        }
        return new EvaluationRecords(rows, outcomes, (double)episodes.Count(e => e.Chosen.Correct) / episodes.Count);
    }
}
