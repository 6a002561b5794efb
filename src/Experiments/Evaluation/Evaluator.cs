using System.Diagnostics;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Rewards;
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
/// on the same problems and seeds too, and come back in <see cref="EvaluationReport.Budgeted"/>. Each method searches
/// <paramref name="parallel"/> problems at a time, their policy and value calls batched (<see cref="ConcurrentSearches"/>);
/// every problem searches from its own seed, so the outcomes do not depend on it beyond float rounding. Every state
/// a method asked the value model about is labelled afterwards with the task's oracle, to measure how well the value
/// ranks (<see cref="ValueRanking"/>): measurement on held-out problems, after the search chose.
/// </summary>
public sealed class Evaluator(ITask task, InferenceBackend inference, int parallel = 1)
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
            var clock = Stopwatch.StartNew();
            var searched = ConcurrentSearches.Run(inference, problems.Count, parallel,
                (i, client) => SearchProblem(search, spec, role, problems[i], client, budget, rewards, options.SearchSeed(i)),
                progress: done => progress?.Invoke(label, done));
            // The method's wall time: with problems searched together, the sum of their own times would count the batches
            // they shared once for each.
            var seconds = clock.Elapsed.TotalSeconds;
            var topOne = searched.Select(s => s.Outcome).ToList();
            if (role != EvaluationRole.Method)
            {
                budgeted.Add(MethodEvaluation.From(label, topOne) with { Seconds = seconds });
            }
            else if (spec.Method == "sample")
            {
                evaluations.Add(MethodEvaluation.From($"{label} maj@{spec.Samples}", topOne) with { Seconds = seconds });
                evaluations.Add(MethodEvaluation.From($"{label}{PassAtKSuffix}{spec.Samples}", [.. searched.Select(s => s.PassAtK!)]) with { Seconds = seconds });
            }
            else
            {
                var scored = searched.SelectMany(s => s.Scored).ToList();
                evaluations.Add(MethodEvaluation.From(label, topOne) with { Seconds = seconds, Value = scored.Count > 0 ? ValueRanking.Of(scored) : null });
            }
        }
        var systemOne = evaluations[0];
        var paired = evaluations.Skip(1).Select(m => PairedComparison.Of(m, systemOne)).ToList();
        return new EvaluationReport(task.Name, split.ToString().ToLowerInvariant(), problems.Count, options.Seed, evaluations, paired, budgeted);
    }

    /// <summary>One problem's search, scored: its top-1 outcome; for <c>sample</c> its pass@k; every state the value
    /// model scored, labelled by the task's oracle, for the value's ranking.</summary>
    private sealed record ProblemSearch(ProblemResult Outcome, ProblemResult? PassAtK, IReadOnlyList<ScoredState> Scored);

    /// <summary>Searches one problem from its seed through <paramref name="client"/> (on the search's own thread) and scores it.</summary>
    private ProblemSearch SearchProblem(ISearch search, MethodSpec spec, EvaluationRole role, Problem problem, InferenceClient client,
        SearchBudget budget, RewardConfig rewards, int seed)
    {
        var clock = Stopwatch.StartNew();
        var result = search.Run(task, problem, client, client, budget, new Random(seed));
        var seconds = clock.Elapsed.TotalSeconds;
        var verdict = task.Verify(problem, result.Completion, rewards);
        var spent = result.Spent;
        var outcome = new ProblemResult(problem.Id, verdict.Correct, verdict.Reward, result.Answer, spent.GeneratedTokens,
            spent.ForwardTokens, spent.ValueEvaluations, spent.Nodes, seconds);
        if (role == EvaluationRole.Sampling)
            outcome = outcome with { Samples = SampledAnswers.Of(result.Candidates.Select(c => (c.Answer, task.Verify(problem, c.Completion, rewards).Correct, c.Score))) };
        ProblemResult? passAtK = null;
        if (spec.Method == "sample")
        {
            var best = result.Candidates.Select(c => task.Verify(problem, c.Completion, rewards)).OrderByDescending(v => v.Correct).FirstOrDefault();
            passAtK = outcome with { Correct = best?.Correct ?? false, Reward = best?.Reward ?? 0 };
        }
        return new ProblemSearch(outcome, passAtK, role == EvaluationRole.Method ? ValueRanking.StatesOf(task, problem, result) : []);
    }

    private const string PassAtKSuffix = " pass@";

    /// <summary>Whether a row is a sample method's pass@k: an oracle bound (the verifier picked), not a method.</summary>
    public static bool IsPassAtK(string label) =>
        label.LastIndexOf(PassAtKSuffix, StringComparison.Ordinal) is var at and >= 0 && label[(at + PassAtKSuffix.Length)..] is { Length: > 0 } k && k.All(char.IsAsciiDigit);

    /// <summary>A seed per (evaluation seed, problem index), the same for every method.</summary>
    internal static int ProblemSeed(int seed, int index) => unchecked(seed * 1_000_003 + index) & int.MaxValue;
}
