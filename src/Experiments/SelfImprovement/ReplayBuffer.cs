using Reasoner.Rewards;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// The bounded example history of the loop (alpha-zero-general's trainExamplesHistory): the most recent
/// <see cref="Capacity"/> episodes, oldest dropped first. Every completion of an episode is verified again on the way
/// in, with the task and the run's reward config: an episode whose reported reward or correctness disagrees with the
/// verifier is rejected whole, so a wrong reward never reaches training.
/// </summary>
public sealed class ReplayBuffer(ITask task, RewardConfig rewards, int capacity)
{
    private readonly LinkedList<Episode> _episodes = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be positive");
    public int Count => _episodes.Count;
    public long Accepted { get; private set; }
    public long Rejected { get; private set; }
    public long Evicted { get; private set; }

    /// <summary>Adds the episode if the verifier agrees with every reward it carries; returns whether it did.</summary>
    public bool Add(Episode episode)
    {
        if (!Confirms(task, rewards, episode))
        {
            Rejected++;
            return false;
        }
        _episodes.AddLast(episode);
        Accepted++;
        while (_episodes.Count > Capacity)
        {
            _episodes.RemoveFirst();
            Evicted++;
        }
        return true;
    }

    /// <summary>Every episode held, oldest first.</summary>
    public IReadOnlyList<Episode> All() => [.. _episodes];

    /// <summary>The episodes searched in <paramref name="iteration"/> (on-policy data, for GRPO).</summary>
    public IReadOnlyList<Episode> FromIteration(int iteration) => [.. _episodes.Where(e => e.Provenance.Iteration == iteration)];

    /// <summary>Whether the verifier gives every completion of the episode the reward and correctness it carries.</summary>
    public static bool Confirms(ITask task, RewardConfig rewards, Episode episode) =>
        Agrees(task, rewards, episode.Problem, episode.Chosen) && episode.Candidates.All(c => Agrees(task, rewards, episode.Problem, c));

    private static bool Agrees(ITask task, RewardConfig rewards, Problem problem, ScoredCompletion completion)
    {
        var verdict = task.Verify(problem, completion.Completion, rewards);
        return verdict.Correct == completion.Correct && verdict.Reward.Equals(completion.Reward);
    }
}
