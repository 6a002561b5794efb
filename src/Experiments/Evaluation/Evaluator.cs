using System.Diagnostics;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Rewards;
using Reasoner.Experiments.Statistics;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>What every method of one evaluation shares.</summary>
/// <param name="Seed">Problem i of every method searches with the generator seeded from (Seed, i): methods are paired.</param>
/// <param name="Budget">Applied to every method alike (equal-compute comparison); null: each method runs to its own config.</param>
/// <param name="Budgets">The equal-compute curves' searches (a sampling run, smaller tree searches); null: none.</param>
/// <param name="SamplingTemperature">The temperature of the curves' sampling run.</param>
/// <param name="SearchSeeds">When set, problem i searches from SearchSeeds[i] instead (one per problem), for every search:
/// <c>eval --run</c> seeds each search as the run's own evaluation did.</param>
public sealed record EvaluationOptions(int Seed = 0, SearchBudget? Budget = null, RewardConfig? Rewards = null, EvaluationBudgets? Budgets = null,
    double SamplingTemperature = 1.0, IReadOnlyList<int>? SearchSeeds = null)
{
    internal int SearchSeed(int problem) => SearchSeeds?[problem] ?? Evaluator.ProblemSeed(Seed, problem);
}

/// <summary>
/// Runs search methods on the same problems with the same seeds and scores each method's chosen completion with the
/// task's verifier, which only scores and never chooses. System 1 (greedy) is always evaluated, first, as the
/// baseline of the paired tests. For <c>sample</c> the chosen completion is the majority answer, so its row is named
/// maj@k; its pass@k (any of the k samples correct: an oracle choice, not a method) is a row of its own. With
/// <see cref="EvaluationOptions.Budgets"/>, the searches of the equal-compute curves (<see cref="EvaluationPlan"/>) run
/// on the same problems and seeds too, and come back in <see cref="EvaluationReport.Budgeted"/>.
/// </summary>
public sealed class Evaluator(ITask task, IStepProposer proposer, IValueEstimator value)
{
    /// <param name="progress">Called after each problem with the method's label and the problems done.</param>
    public EvaluationReport Run(Split split, IReadOnlyList<Problem> problems, IReadOnlyList<MethodSpec> methods, EvaluationOptions options, Action<string, int>? progress = null)
    {
        if (options.SearchSeeds is { } seeds && seeds.Count != problems.Count)
            throw new ArgumentException($"{seeds.Count} search seeds for {problems.Count} problems", nameof(options));
        var specs = methods.Where(m => !m.IsSystemOne).Prepend(MethodSpec.SystemOne).DistinctBy(m => m.Label).ToList();
        var planned = options.Budgets is { } budgets
            ? EvaluationPlan.For(specs.Select(s => (s.Label, s)).ToList(), budgets, options.SamplingTemperature)
            : specs.Select(s => new PlannedSearch(s.Label, s, EvaluationRole.Method)).ToList();
        var budget = options.Budget ?? SearchBudget.Unlimited;
        var rewards = options.Rewards ?? new RewardConfig();
        var evaluations = new List<MethodEvaluation>();
        var budgeted = new List<MethodEvaluation>();
        foreach (var (label, spec, role) in planned)
        {
            var search = spec.Create();
            var topOne = new List<ProblemResult>(problems.Count);
            var passAtK = new List<ProblemResult>();
            var ranked = new List<(double Score, bool Positive)>();
            for (var i = 0; i < problems.Count; i++)
            {
                var problem = problems[i];
                var clock = Stopwatch.StartNew();
                var result = search.Run(task, problem, proposer, value, budget, new Random(options.SearchSeed(i)));
                var seconds = clock.Elapsed.TotalSeconds;
                var verdict = task.Verify(problem, result.Completion, rewards);
                var spent = result.Spent;
                var outcome = new ProblemResult(problem.Id, verdict.Correct, verdict.Reward, result.Answer, spent.GeneratedTokens,
                    spent.ForwardTokens, spent.ValueEvaluations, seconds);
                if (role == EvaluationRole.Sampling)
                    outcome = outcome with { Samples = SampledAnswers.Of(result.Candidates.Select(c => (c.Answer, task.Verify(problem, c.Completion, rewards).Correct, c.Score))) };
                topOne.Add(outcome);
                if (spec.Method == "sample")
                {
                    var best = result.Candidates.Select(c => task.Verify(problem, c.Completion, rewards)).OrderByDescending(v => v.Correct).FirstOrDefault();
                    passAtK.Add(outcome with { Correct = best?.Correct ?? false, Reward = best?.Reward ?? 0 });
                }
                if (spec.Method == "best-of-n")
                    foreach (var candidate in result.Candidates.Where(c => !double.IsNaN(c.Score)))
                        ranked.Add((candidate.Score, task.Verify(problem, candidate.Completion, rewards).Correct));
                progress?.Invoke(label, i + 1);
            }
            if (role != EvaluationRole.Method)
            {
                budgeted.Add(MethodEvaluation.From(label, topOne));
            }
            else if (spec.Method == "sample")
            {
                evaluations.Add(MethodEvaluation.From($"{label} maj@{spec.Samples}", topOne));
                evaluations.Add(MethodEvaluation.From($"{label}{PassAtKSuffix}{spec.Samples}", passAtK));
            }
            else
            {
                evaluations.Add(MethodEvaluation.From(label, topOne) with { ValueAuc = RankAuc.Of(ranked) });
            }
        }
        var systemOne = evaluations[0];
        var paired = evaluations.Skip(1).Select(m => PairedComparison.Of(m, systemOne)).ToList();
        return new EvaluationReport(task.Name, split.ToString().ToLowerInvariant(), problems.Count, options.Seed, evaluations, paired, budgeted);
    }

    private const string PassAtKSuffix = " pass@";

    /// <summary>Whether a row is a sample method's pass@k: an oracle bound (the verifier picked), not a method.</summary>
    public static bool IsPassAtK(string label) =>
        label.LastIndexOf(PassAtKSuffix, StringComparison.Ordinal) is var at and >= 0 && label[(at + PassAtKSuffix.Length)..] is { Length: > 0 } k && k.All(char.IsAsciiDigit);

    /// <summary>A seed per (evaluation seed, problem index), the same for every method.</summary>
    internal static int ProblemSeed(int seed, int index) => unchecked(seed * 1_000_003 + index) & int.MaxValue;
}
