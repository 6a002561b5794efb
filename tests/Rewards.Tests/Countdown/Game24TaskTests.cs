using Reasoner.Rewards.Countdown;

namespace Reasoner.Rewards.Tests.Countdown;

public class Game24TaskTests
{
    [Fact]
    public void Test_split_is_tree_of_thoughts_ranks_901_to_1000_in_order()
    {
        var test = new Game24Task().Generate(Split.Test, 100, seed: 7);
        Assert.Equal(Enumerable.Range(901, 100).Select(rank => $"game24-{rank}"), test.Select(p => p.Id));
        var first = (CountdownProblem)test[0];
        Assert.Equal([4, 5, 6, 10], first.Numbers);
        Assert.Equal(24, first.Target);
    }

    [Fact]
    public void Train_split_is_the_other_1262_shuffled_by_seed()
    {
        var task = new Game24Task();
        var train = task.Generate(Split.Train, 1262, seed: 1);
        Assert.Equal(1262, train.Select(p => p.Id).Distinct().Count());
        Assert.Empty(train.Select(p => p.Id).Intersect(task.Generate(Split.Test, 100, seed: 1).Select(p => p.Id)));
        // Disjoint as puzzles too, not only as ranks: no multiset of the test split reappears in training.
        Assert.DoesNotContain(train.Cast<CountdownProblem>(), p => Game24Puzzles.IsTestPuzzle(p.Numbers, p.Target));
        Assert.Equal(train.Take(5).Select(p => p.Id), task.Generate(Split.Train, 5, seed: 1).Select(p => p.Id));
        Assert.NotEqual(train.Take(5).Select(p => p.Id), task.Generate(Split.Train, 5, seed: 2).Select(p => p.Id));
        Assert.Throws<ArgumentException>(() => task.Generate(Split.Test, 101, seed: 1));
    }

    [Fact]
    public void The_expert_solves_every_puzzle_of_the_set()
    {
        var task = new Game24Task();
        foreach (var problem in task.Generate(Split.Train, 1262, 0).Concat(task.Generate(Split.Test, 100, 0)))
        {
            var verdict = task.Verify(problem, string.Join('\n', task.Solve(problem)), new RewardConfig());
            Assert.True(verdict.Correct, $"{problem.Id}: {verdict.Reason}");
        }
    }

    [Fact]
    public void From_json_recovers_the_rank()
    {
        var task = new Game24Task();
        var problem = task.FromJson(new System.Text.Json.Nodes.JsonObject { ["numbers"] = new System.Text.Json.Nodes.JsonArray(10, 6, 5, 4), ["target"] = 24 });
        Assert.Equal("game24-901", problem.Id);
        Assert.Throws<FormatException>(() => task.FromJson(new System.Text.Json.Nodes.JsonObject { ["numbers"] = new System.Text.Json.Nodes.JsonArray(1, 2, 3, 4), ["target"] = 10 }));
    }
}
