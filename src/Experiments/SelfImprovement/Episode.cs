using Reasoner.Experiments.Evaluation;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>Where an episode came from: the iteration, the search worker and the checkpoint that searched it, and the
/// worker node it ran on (null: this process).</summary>
public sealed record Provenance(int Iteration, int Worker, string Checkpoint, string? Node = null);

/// <summary>One finished completion of a search with the verifier's reward.</summary>
/// <param name="Answer">Its parsed final answer (null without an answer line): majority votes count these.</param>
/// <param name="Score">What the search ranked it by (its value for best-of-n), NaN when unranked.</param>
public sealed record ScoredCompletion(string Completion, double Reward, bool Correct, string? Answer = null, double Score = double.NaN);

/// <summary>
/// One problem searched once: the chosen completion, every candidate the search finished (GRPO's group, expert
/// iteration's correct samples), MCTS's visit distributions (AlphaZero's policy targets), the compute spent and
/// where it came from. Rewards are the worker's; the replay buffer checks them again before training sees them.
/// <see cref="ScoredStates"/>: in evaluation, every state the value model scored, with its ground truth (the value's AUC).
/// </summary>
public sealed record Episode(
    Problem Problem,
    string Method,
    ScoredCompletion Chosen,
    IReadOnlyList<ScoredCompletion> Candidates,
    IReadOnlyList<VisitTarget> VisitTargets,
    ComputeSpent Spent,
    Provenance Provenance)
{
    public IReadOnlyList<ScoredState> ScoredStates { get; init; } = [];

    /// <summary>Scores a search result with the task's verifier; with <paramref name="scoreStates"/>, also labels every
    /// state the value model scored with the task's oracle (held-out evaluation only: never data for training).</summary>
    public static Episode Score(ITask task, RewardConfig rewards, Problem problem, SearchResult result, Provenance provenance, bool scoreStates = false)
    {
        ScoredCompletion ScoreOf(string completion, string? answer, double score)
        {
            var verdict = task.Verify(problem, completion, rewards);
            return new ScoredCompletion(completion, verdict.Reward, verdict.Correct, answer, score);
        }
        return new Episode(problem, result.Method, ScoreOf(result.Completion, result.Answer, double.NaN),
            result.Candidates.Select(c => ScoreOf(c.Completion, c.Answer, c.Score)).ToList(), result.VisitTargets, result.Spent, provenance)
        {
            ScoredStates = scoreStates ? ValueRanking.StatesOf(task, problem, result) : [],
        };
    }
}
