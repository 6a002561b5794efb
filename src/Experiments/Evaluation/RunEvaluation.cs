using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// A run's held-out evaluation, to repeat on one of its checkpoints (<c>eval --run</c>): the problems the run evaluated
/// (<see cref="ExperimentProblems.HeldOut"/> of its config), each of evaluation.methods with the run's search settings and
/// name (<see cref="SearchPlan.ForEvaluation"/>), its equal-compute budgets, and under each evaluation seed every search
/// seeded as the run's evaluator seeds it (<see cref="LoopEvaluation.SearchSeed"/>).
/// </summary>
public sealed record RunEvaluation(
    ITask Task, IReadOnlyList<Problem> Problems, IReadOnlyList<int> Seeds, IReadOnlyList<MethodSpec> Methods, SearchBudget Budget,
    RewardConfig Rewards, EvaluationBudgets Budgets, double SamplingTemperature, int RunSeed)
{
    /// <param name="seeds">Evaluation seeds; null: the run's evaluation.seeds.</param>
    /// <param name="count">Only the first <paramref name="count"/> held-out problems; null: all of them.</param>
    public static RunEvaluation Of(ExperimentConfig config, IReadOnlyList<int>? seeds = null, int? count = null)
    {
        seeds ??= config.Evaluation.Seeds;
        if (seeds.Count == 0) throw new ArgumentException("no evaluation seeds", nameof(seeds));
        var heldOut = ExperimentProblems.HeldOut(config, config.Task.Create());
        var search = config.SelfImprovement.Search;
        var methods = config.Evaluation.Methods.Select(method => SearchPlan.ForEvaluation(method, search)).Select(p => p.Spec with { Name = p.Label }).ToList();
        return new RunEvaluation(heldOut.Task, [.. heldOut.Problems.Take(count ?? heldOut.Problems.Count)], seeds, methods,
            new SearchBudget(MaxStepTokens: search.MaxStepTokens), config.Task.Rewards, config.Evaluation.Budgets, search.Temperature, config.Seed);
    }

    /// <summary>The seed of each problem's search under evaluation seed <paramref name="seed"/>, as the run's evaluator seeds it.</summary>
    public IReadOnlyList<int> SearchSeeds(int seed) => [.. Problems.Select((_, i) => LoopEvaluation.SearchSeed(RunSeed, seed, i))];
}
