using System.Diagnostics;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>What every method of one evaluation shares.</summary>
/// <param name="Seed">Problem i of every method searches with the generator seeded from (Seed, i): methods are paired.</param>
/// <param name="Budget">Applied to every method alike (equal-compute comparison); null: each method runs to its own config.</param>
public sealed record EvaluationOptions(int Seed = 0, SearchBudget? Budget = null, RewardConfig? Rewards = null);

/// <summary>
/// Runs search methods on the same problems with the same seeds and scores each method's chosen completion with the
/// task's verifier, which only scores and never chooses. System 1 (greedy) is always evaluated, first, as the
/// baseline of the paired tests. For <c>sample</c> the chosen completion is the majority answer, so its row is named
/// maj@k; its pass@k (any of the k samples correct: an oracle choice, not a method) is a row of its own. Every state
/// a method asked the value model about is labelled afterwards with the task's oracle, to measure how well the value
/// ranks (<see cref="ValueRanking"/>): measurement on held-out problems, after the search chose.
/// </summary>
public sealed class Evaluator(ITask task, IStepProposer proposer, IValueEstimator value)
{
    /// <param name="progress">Called after each problem with the method's label and the problems done.</param>
    public EvaluationReport Run(Split split, IReadOnlyList<Problem> problems, IReadOnlyList<MethodSpec> methods, EvaluationOptions options, Action<string, int>? progress = null)
    {
        var specs = methods.Where(m => !m.IsSystemOne).Prepend(MethodSpec.SystemOne).DistinctBy(m => m.Label).ToList();
        var budget = options.Budget ?? SearchBudget.Unlimited;
        var rewards = options.Rewards ?? new RewardConfig();
        var evaluations = new List<MethodEvaluation>();
        foreach (var spec in specs)
        {
            var search = spec.Create();
            var topOne = new List<ProblemResult>(problems.Count);
            var passAtK = new List<ProblemResult>();
            var scored = new List<ScoredState>();
            for (var i = 0; i < problems.Count; i++)
            {
                var problem = problems[i];
                var clock = Stopwatch.StartNew();
                var result = search.Run(task, problem, proposer, value, budget, new Random(ProblemSeed(options.Seed, i)));
                var seconds = clock.Elapsed.TotalSeconds;
                var verdict = task.Verify(problem, result.Completion, rewards);
                var spent = result.Spent;
                var outcome = new ProblemResult(problem.Id, verdict.Correct, verdict.Reward, result.Answer, spent.GeneratedTokens,
                    spent.ForwardTokens, spent.ValueEvaluations, seconds);
                topOne.Add(outcome);
                if (spec.Method == "sample")
                {
                    var best = result.Candidates.Select(c => task.Verify(problem, c.Completion, rewards)).OrderByDescending(v => v.Correct).FirstOrDefault();
                    passAtK.Add(outcome with { Correct = best?.Correct ?? false, Reward = best?.Reward ?? 0 });
                }
                scored.AddRange(ValueRanking.StatesOf(task, problem, result));
                progress?.Invoke(spec.Label, i + 1);
            }
            if (spec.Method == "sample")
            {
                evaluations.Add(MethodEvaluation.From($"{spec.Label} maj@{spec.Samples}", topOne));
                evaluations.Add(MethodEvaluation.From($"{spec.Label} pass@{spec.Samples}", passAtK));
            }
            else
            {
                evaluations.Add(MethodEvaluation.From(spec.Label, topOne) with { Value = scored.Count > 0 ? ValueRanking.Of(scored) : null });
            }
        }
        var systemOne = evaluations[0];
        var paired = evaluations.Skip(1).Select(m => PairedComparison.Of(m, systemOne)).ToList();
        return new EvaluationReport(task.Name, split.ToString().ToLowerInvariant(), problems.Count, options.Seed, evaluations, paired);
    }

    /// <summary>A seed per (evaluation seed, problem index), the same for every method.</summary>
    internal static int ProblemSeed(int seed, int index) => unchecked(seed * 1_000_003 + index) & int.MaxValue;
}
