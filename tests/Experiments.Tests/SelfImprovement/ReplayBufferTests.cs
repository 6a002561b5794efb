using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Tests.SelfImprovement;

public class ReplayBufferTests
{
    private static readonly ITask Task = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3));
    private readonly IReadOnlyList<Problem> Problems = Task.Generate(Split.Train, 3, seed: 9);

    private Episode Solved(int problem, int iteration, bool lie = false)
    {
        var expert = string.Join("\n", Task.Solve(Problems[problem]));
        var chosen = lie ? new ScoredCompletion("Answer: 1 + 1 = 2", 1, true) : new ScoredCompletion(expert, 1, true);
        return new Episode(Problems[problem], "test", chosen, [chosen], [], new ComputeSpent(0, 0, 0, 0, 0, 1, TimeSpan.Zero), new Provenance(iteration, 0, "c"));
    }

    [Fact]
    public void AnEpisodeWhoseRewardTheVerifierDoesNotConfirmNeverEnters()
    {
        var buffer = new ReplayBuffer(Task, new RewardConfig(), capacity: 10);
        Assert.True(buffer.Add(Solved(0, 1)));
        Assert.False(buffer.Add(Solved(1, 1, lie: true)));
        Assert.Equal((1, 1L, 1L), (buffer.Count, buffer.Accepted, buffer.Rejected));
        Assert.Equal(Problems[0], Assert.Single(buffer.All()).Problem);
    }

    [Fact]
    public void TheHistoryIsBoundedOldestFirst()
    {
        var buffer = new ReplayBuffer(Task, new RewardConfig(), capacity: 2);
        for (int i = 0; i < 3; i++) buffer.Add(Solved(i, i + 1));
        Assert.Equal([Problems[1], Problems[2]], buffer.All().Select(e => e.Problem));
        Assert.Equal(1, buffer.Evicted);
        Assert.Equal(Problems[2], Assert.Single(buffer.FromIteration(3)).Problem);
    }
}
