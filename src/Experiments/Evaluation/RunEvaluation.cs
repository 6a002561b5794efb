using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// A run's held-out evaluation, to repeat on one of its checkpoints (<c>eval --run</c>): the problems the run evaluated
/// (<see cref="ExperimentProblems.HeldOut"/> of its config), each of evaluation.methods with the run's search settings and
/// name (<see cref="SearchPlan.ForEvaluation"/>), and every search seeded as the run's evaluator seeds it: problem i under
/// evaluation seed s searches from SeedMix.Of(run seed, s, i). With several seeds the problems repeat once per seed, their
/// ids suffixed <c>#seed{s}</c> as in the run's outcomes.jsonl, so accuracy and the paired tests pool over seeds as the
/// run's report does.
/// </summary>
public sealed record RunEvaluation(
    ITask Task, IReadOnlyList<Problem> Problems, IReadOnlyList<int> SearchSeeds, IReadOnlyList<MethodSpec> Methods, SearchBudget Budget, RewardConfig Rewards)
{
    /// <param name="seeds">Evaluation seeds; null: the run's evaluation.seeds.</param>
    /// <param name="count">Only the first <paramref name="count"/> held-out problems; null: all of them.</param>
    public static RunEvaluation Of(ExperimentConfig config, IReadOnlyList<int>? seeds = null, int? count = null)
    {
        seeds ??= config.Evaluation.Seeds;
        if (seeds.Count == 0) throw new ArgumentException("no evaluation seeds", nameof(seeds));
        var heldOut = ExperimentProblems.HeldOut(config, config.Task.Create());
        var problems = heldOut.Problems.Take(count ?? heldOut.Problems.Count).ToList();
        var search = config.SelfImprovement.Search;
        var plans = config.Evaluation.Methods.Select(method => SearchPlan.ForEvaluation(method, search)).ToList();
        var pooled = new List<Problem>(problems.Count * seeds.Count);
        var searchSeeds = new List<int>(problems.Count * seeds.Count);
        foreach (int seed in seeds)
        {
            for (int i = 0; i < problems.Count; i++)
            {
                pooled.Add(seeds.Count > 1 ? problems[i] with { Id = $"{problems[i].Id}#seed{seed}" } : problems[i]);
                searchSeeds.Add(SeedMix.Of(config.Seed, seed, i));
            }
        }
        return new RunEvaluation(heldOut.Task, pooled, searchSeeds, plans.Select(p => p.Spec with { Name = p.Label }).ToList(),
            new SearchBudget(MaxStepTokens: search.MaxStepTokens), config.Task.Rewards);
    }
}
