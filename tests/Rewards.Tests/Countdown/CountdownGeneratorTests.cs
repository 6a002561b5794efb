using Reasoner.Rewards.Countdown;

namespace Reasoner.Rewards.Tests.Countdown;

public class CountdownGeneratorTests
{
    private const long Budget = 20_000; // CountdownTask's

    /// <summary>
    /// The specification: draw numbers then target, keep the candidate when the expert solves it within the budget, it
    /// belongs to the split, is no Game-of-24 test puzzle in train, and was not kept before; solve every draw.
    /// </summary>
    private static List<string> NaiveGenerate(CountdownOptions options, Split split, int count, int seed)
    {
        var random = new Random(seed);
        var (ids, seen) = (new List<string>(), new HashSet<string>());
        for (long attempts = 0; ids.Count < count; attempts++)
        {
            if (attempts > 2000L + 200L * count) throw new ArgumentException($"only {ids.Count}");
            var numbers = Enumerable.Range(0, options.Numbers).Select(_ => random.Next(options.MinNumber, options.MaxNumber + 1)).ToArray();
            var target = random.Next(options.MinTarget, options.MaxTarget + 1);
            if (CountdownSolver.Solve(numbers, target, Budget) is null) continue;
            var problem = CountdownProblem.Create("countdown", numbers, target);
            if (SplitAssignment.Of(problem.CanonicalKey) != split || (split == Split.Train && Game24Puzzles.IsTestPuzzle(problem.Numbers, target))
                || !seen.Add(problem.CanonicalKey))
                continue;
            ids.Add(problem.Id);
        }
        return ids;
    }

    private static IEnumerable<int[]> Multisets(int numbers, int min, int max) => numbers == 0
        ? [[]]
        : Multisets(numbers - 1, min, max).SelectMany(rest => Enumerable.Range(rest.Length == 0 ? min : rest[^1], max - (rest.Length == 0 ? min : rest[^1]) + 1)
            .Select(n => rest.Append(n).ToArray()));

    [Theory]
    [InlineData(3, 1, 12, 0, 150)]
    [InlineData(4, 1, 7, 0, 120)]
    [InlineData(4, 5, 9, 20, 60)]
    public void Reached_targets_are_exactly_the_targets_the_budgeted_solver_solves(int numbers, int min, int max, int minTarget, int maxTarget)
    {
        foreach (var multiset in Multisets(numbers, min, max))
        {
            var reached = new bool[maxTarget - minTarget + 1];
            CountdownSolver.ReachTargets(multiset, minTarget, reached);
            for (int target = minTarget; target <= maxTarget; target++)
                Assert.True(reached[target - minTarget] == CountdownSolver.Solve(multiset, target, Budget) is not null,
                    $"{string.Join(' ', multiset)} -> {target}");
        }
    }

    public static TheoryData<int, int, int, int, int, int> Requests => new()
    {
        // numbers, max number, min target, max target, count, seed: enumerated (most of the space) and sampled (a sliver)
        { 3, 9, 1, 30, 1000, 0 },
        { 3, 9, 1, 30, 1250, 1 }, // most of the 1,406 train problems there are
        { 4, 13, 24, 30, 700, 2 },
        { 4, 13, 1, 100, 50, 3 },
        { 5, 9, 10, 60, 40, 4 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Generated_problems_are_the_ones_drawing_and_solving_every_candidate_gives(int numbers, int maxNumber, int minTarget, int maxTarget, int count, int seed)
    {
        var options = new CountdownOptions(numbers, 1, maxNumber, minTarget, maxTarget);
        var task = new CountdownTask(options);
        foreach (var split in new[] { Split.Train, Split.Test })
        {
            int n = split == Split.Train ? count : Math.Min(count / 10, 100);
            Assert.Equal(NaiveGenerate(options, split, n, seed), task.Generate(split, n, seed).Select(p => p.Id));
        }
    }

    [Fact]
    public void A_request_beyond_the_space_fails_at_once_with_the_exact_number_of_distinct_problems()
    {
        // 3 numbers from 1-9, targets 1-30: count the train problems by solving every candidate.
        var options = new CountdownOptions(3, 1, 9, 1, 30);
        int distinct = Multisets(3, 1, 9).Sum(multiset => Enumerable.Range(1, 30).Count(target =>
        {
            var key = CountdownProblem.Create("countdown", multiset, target).CanonicalKey;
            return SplitAssignment.Of(key) == Split.Train && CountdownSolver.Solve(multiset, target, Budget) is not null;
        }));
        Assert.Equal(1406, distinct);
        var error = Assert.Throws<ArgumentException>(() => new CountdownTask(options).Generate(Split.Train, distinct + 1, seed: 0));
        Assert.Contains($"countdown has {distinct} distinct Train problems", error.Message);
        Assert.Equal(distinct, new CountdownTask(options).Generate(Split.Train, distinct, seed: 0).Count);
    }

    [Fact]
    public void The_issue_example_knows_its_27248_train_problems()
    {
        // train sft --task countdown --numbers 4 --min-target 12 --max-target 36 --problems 30000 used to search 3.5 minutes.
        var generator = new CountdownGenerator(new CountdownOptions(4, 1, 13, 12, 36), "countdown", Budget);
        Assert.True(generator.Enumerable);
        Assert.Equal(27_248, generator.CountDistinct(Split.Train));
        var error = Assert.Throws<ArgumentException>(() => generator.Generate(Split.Train, 30_000, seed: 0));
        Assert.Contains("27248", error.Message);
    }

    [Fact]
    public void Large_spaces_are_sampled_not_enumerated()
    {
        Assert.False(new CountdownGenerator(new CountdownOptions(4, 1, 99, 1, 999), "countdown", Budget).Enumerable);
        Assert.False(new CountdownGenerator(new CountdownOptions(5, 1, 9, 1, 99), "countdown", Budget).Enumerable);
        Assert.Equal(1820, new CountdownGenerator(new CountdownOptions(4, 1, 13, 1, 100), "countdown", Budget).Multisets());
    }
}
