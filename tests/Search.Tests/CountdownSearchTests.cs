using Reasoner.Rewards;
using Reasoner.Rewards.Countdown;
using Reasoner.Search.Mcts;

namespace Reasoner.Search.Tests;

/// <summary>The searches on the real Countdown task, with the oracle policy that proposes every legal step.</summary>
public class CountdownSearchTests
{
    static readonly CountdownTask Countdown = new();
    static readonly Game24Task Game24 = new();

    /// <summary>50 generated four-number instances and the first 20 Game-of-24 test puzzles, all solvable.</summary>
    public static IEnumerable<(ITask Task, Problem Problem)> Instances(int countdown = 50, int game24 = 20) =>
        Countdown.Generate(Split.Test, countdown, seed: 1).Select(p => ((ITask)Countdown, p))
            .Concat(Game24.Generate(Split.Test, game24, seed: 0).Select(p => ((ITask)Game24, p)));

    static void SolvesEveryInstance(ISearch search, Func<IValueEstimator> value, int countdown = 50, int game24 = 20) =>
        Assert.Equal([], Failures(search, value, Instances(countdown, game24)));

    /// <summary>The instances the search gets wrong, each with the verifier's reason.</summary>
    static List<string> Failures(ISearch search, Func<IValueEstimator> value, IEnumerable<(ITask Task, Problem Problem)> instances)
    {
        var failures = new List<string>();
        foreach (var (task, problem) in instances)
        {
            var proposer = new CountdownOracle();
            var result = search.Run(task, problem, proposer, value(), SearchBudget.Unlimited, new Random(0));
            var verdict = task.Verify(problem, result.Completion, new RewardConfig());
            if (!verdict.Correct) failures.Add($"{problem.Id}: {verdict.Reason}");
            Assert.Equal(0, proposer.Live);
        }
        return failures;
    }

    [Fact]
    public void OracleStepsAreWhatTheVerifierAccepts()
    {
        // Follow the exact oracle greedily: every step it takes is a valid step of the task.
        var problem = Game24.Generate(Split.Test, 1, seed: 0)[0];
        var items = CountdownOracle.Replay((CountdownProblem)problem, []);
        var steps = new List<string>();
        var value = new CountdownSolvable();
        while (items.Count > 0)
        {
            var move = CountdownOracle.Moves(items).First(m => value.Evaluate(problem, [new NodeState(default, [.. steps, m.Text])])[0] == 1f);
            steps.Add(move.Text);
            items = move.Next;
        }
        var verdict = Game24.Verify(problem, string.Join("\n", steps), new RewardConfig());
        Assert.True(verdict.Correct, verdict.Reason);
        Assert.All(verdict.StepValid, Assert.True);
    }

    [Fact]
    public void TotBfsWithTheExactValueSolvesEveryInstanceAtBreadthOne() =>
        SolvesEveryInstance(SearchFactory.Create(new TotBfsConfig(Proposals: 64, Breadth: 1, Temperature: 0)), () => new CountdownSolvable());

    [Fact]
    public void TotBfsWithEnoughBreadthSolvesEveryInstanceWithAHeuristicValue() =>
        // Breadth 500 keeps every state with two numbers left (at most 30 * 15 = 450), and among their children
        // the heuristic ranks first those whose last number is the target. Fewer instances: it is the slow one.
        SolvesEveryInstance(SearchFactory.Create(new TotBfsConfig(Proposals: 64, Breadth: 500, Temperature: 0)), () => new CountdownCloseness(),
            countdown: 10, game24: 5);

    [Fact]
    public void TotDfsWithTheExactValueSolvesEveryInstance() =>
        SolvesEveryInstance(SearchFactory.Create(new TotDfsConfig(Proposals: 64, PruneThreshold: 0.5f, Temperature: 0)), () => new CountdownSolvable());

    [Fact]
    public void TotDfsWithoutPruningBacktracksToEverySolution() =>
        // Only wrong answers fall under the threshold: DFS backtracks through every state until it finds a right one.
        SolvesEveryInstance(SearchFactory.Create(new TotDfsConfig(Proposals: 64, PruneThreshold: 0.5f, Temperature: 0)), () => new OnlyAnswersCount());

    [Fact]
    public void MctsWithTheExactValueSolvesEveryInstance() =>
        SolvesEveryInstance(SearchFactory.Create(new MctsConfig(Simulations: 32, Candidates: 64, ProposalTemperature: 0)), () => new CountdownSolvable());

    [Fact]
    public void GumbelMctsTrustingAnExactValueSolvesEveryInstance() =>
        // c_scale 1 rather than 0.1: with an exact value, sigma(q) must outweigh the Gumbel noise over ~30 root steps.
        SolvesEveryInstance(SearchFactory.Create(new MctsConfig(Simulations: 64, Candidates: 64, ProposalTemperature: 0, Gumbel: true,
            GumbelConsidered: 64, GumbelValueScale: 1f)), () => new CountdownSolvable());

    [Fact]
    public void SamplingOnCountdownGivesPassAtKFromItsCandidates()
    {
        var problem = Game24.Generate(Split.Test, 1, seed: 0)[0];
        var result = SearchFactory.Create(new SampleConfig(Samples: 32)).Run(Game24, problem, new CountdownOracle(), new CountdownSolvable(), SearchBudget.Unlimited, new Random(1));
        Assert.Equal(32, result.Candidates.Count);
        var correct = result.Candidates.Count(c => Game24.Verify(problem, c.Completion, new RewardConfig()).Correct);
        Assert.InRange(Metrics.PassAtK.Estimate(32, correct, 1), 0.0, 1.0);
        Assert.Equal(correct > 0 ? 1.0 : 0.0, Metrics.PassAtK.Estimate(32, correct, 32));
        Assert.All(result.Candidates, c => Assert.NotNull(c.Answer));
    }

    [Fact]
    public void ScoreKeepsTopOnePassAtKAndMajAtKApart()
    {
        var problem = Game24.Generate(Split.Test, 1, seed: 0)[0];
        var result = SearchFactory.Create(new SampleConfig(Samples: 40)).Run(Game24, problem, new CountdownOracle(), new CountdownSolvable(), SearchBudget.Unlimited, new Random(2));
        var score = Metrics.SearchScore.Of(Game24, problem, result, [1, 10, 40, 41]);
        var correct = result.Candidates.Select(c => Game24.Verify(problem, c.Completion, new RewardConfig()).Correct).ToList();
        Assert.Equal(40, score.Samples);
        Assert.Equal(correct.Count(x => x), score.CorrectSamples);
        Assert.Equal([1, 10, 40], score.PassAtK.Keys.Order());
        Assert.Equal(score.CorrectSamples / 40.0, score.PassAtK[1], 1e-12);
        Assert.Equal(Game24.Verify(problem, result.Completion, new RewardConfig()).Correct, score.Correct);
        // The chosen completion of sampling is the majority answer of all samples, so top-1 is maj@n.
        Assert.Equal(score.Correct, score.MajorityAtK[40]);
    }

    /// <summary>Values every unfinished state 0.8 (above any threshold used) and an answer by whether it claims the target.</summary>
    sealed class OnlyAnswersCount : IValueEstimator
    {
        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) =>
            states.Select(s => s.Steps.Count > 0 && s.Steps[^1].StartsWith("Answer:", StringComparison.Ordinal)
                ? s.Steps[^1].EndsWith($"= {((CountdownProblem)problem).Target}", StringComparison.Ordinal) ? 1f : 0f
                : 0.8f).ToList();
    }
}
