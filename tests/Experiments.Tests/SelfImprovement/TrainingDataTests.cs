using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Tests.SelfImprovement;

public class TrainingDataTests
{
    private static readonly ITask Task = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3));
    private readonly Problem Problem = Task.Generate(Split.Train, 1, seed: 4)[0];
    private readonly string Expert;

    public TrainingDataTests() => Expert = string.Join("\n", Task.Solve(Problem));
    private static readonly ComputeSpent NoCompute = new(0, 0, 0, 0, 0, 1, TimeSpan.Zero);

    private ScoredCompletion Scored(string completion)
    {
        var verdict = Task.Verify(Problem, completion, new RewardConfig());
        return new ScoredCompletion(completion, verdict.Reward, verdict.Correct);
    }

    private Episode EpisodeOf(ScoredCompletion chosen, IReadOnlyList<ScoredCompletion> candidates, IReadOnlyList<VisitTarget>? visits = null) =>
        new(Problem, "test", chosen, candidates, visits ?? [], NoCompute, new Provenance(1, 0, "c0"));

    [Fact]
    public void ExpertIterationKeepsOnlyDistinctVerifiedCorrectCompletions()
    {
        var wrong = Scored("Answer: 1 + 1 = 2");
        var episode = EpisodeOf(Scored(Expert), [Scored(Expert), wrong, Scored(Expert)]);
        var examples = TrainingData.ExpertIteration(Task, [episode, EpisodeOf(wrong, [wrong])]);
        var example = Assert.Single(examples);
        Assert.Equal((Task.Prompt(Problem), Expert, 1f, true), (example.Prompt, example.Completion, example.Weight, example.Finished));
    }

    [Fact]
    public void AlphaZeroWeightsEachCandidateStepByItsVisitShareAfterTheStepsSoFar()
    {
        var steps = Task.Solve(Problem);
        var visits = new VisitTarget(3, [steps[0]], [steps[1], "1 + 1 = 2 (left: 2)", "Answer: 1 + 1 = 2"], [6, 2, 0], [0.75f, 0.25f, 0f], 0);
        var examples = TrainingData.AlphaZero(Task, [EpisodeOf(Scored(Expert), [], [visits])]);

        Assert.Equal(2, examples.Count); // the unvisited answer carries no weight
        Assert.All(examples, e => Assert.Equal(Task.Prompt(Problem) + steps[0] + "\n", e.Prompt));
        Assert.Equal((steps[1] + "\n", 0.75f, false), (examples[0].Completion, examples[0].Weight, examples[0].Finished));
        Assert.Equal(0.25f, examples[1].Weight);
    }

    [Fact]
    public void ValuesLabelEveryLinePrefixWithItsCompletionsOutcome()
    {
        var steps = Task.Solve(Problem);
        var examples = TrainingData.Values(Task, [EpisodeOf(Scored(Expert), [Scored("Answer: 1 + 1 = 2")])]);

        var partial = examples.Where(e => !e.Finished).ToList();
        var correct = partial.Where(e => e.ValueTarget == 1f).Select(e => e.Completion).ToList();
        Assert.Equal(Enumerable.Range(0, steps.Count).Select(i => string.Concat(steps.Take(i).Select(s => s + "\n"))), correct);
        Assert.Equal([""], partial.Where(e => e.ValueTarget == 0f).Select(e => e.Completion));
        // Each finished answer is valued where search reads it (after the end token), at its exact outcome.
        Assert.Equal([(Expert, 1f), ("Answer: 1 + 1 = 2", 0f)], examples.Where(e => e.Finished).Select(e => (e.Completion, e.ValueTarget!.Value)));
        Assert.All(examples, e => Assert.Equal(0f, e.Weight));
    }

    [Fact]
    public void ValuesAtTheAnswersOnlyAreTheFinishedAnswersAtTheirVerdicts()
    {
        var episodes = new[] { EpisodeOf(Scored(Expert), [Scored("Answer: 1 + 1 = 2")]) };
        var examples = TrainingData.Values(Task, episodes, prefixes: false);

        Assert.Equal([(Expert, 1f), ("Answer: 1 + 1 = 2", 0f)], examples.Select(e => (e.Completion, e.ValueTarget!.Value)));
        Assert.All(examples, e => Assert.True(e.Finished));
        Assert.Equal(TrainingData.Values(Task, episodes).Where(e => e.Finished), examples);
    }

    [Fact]
    public void GrpoGivesEachSampleItsAdvantageAndItsTargetsReferenceLogProbabilities()
    {
        var group = new[] { Scored(Expert), Scored("Answer: 1 + 1 = 2") };
        var examples = TrainingData.Grpo(Task, [EpisodeOf(group[0], group)],
            (prompt, completions) => completions.Select((c, i) => Enumerable.Repeat(-1f - i, c.TargetCount).ToArray()).ToArray());

        Assert.Equal(2, examples.Count);
        Assert.Equal([1f, -1f], examples.Select(e => e.Weight)); // rewards 1 and 0: advantages +1 and -1
        Assert.All(examples, e => Assert.Null(e.TokenWeights));
        Assert.Equal(Expert.Length + 1, examples[0].ReferenceLogProbs!.Length); // characters and the end token
        Assert.All(examples[1].ReferenceLogProbs!, p => Assert.Equal(-2f, p));
    }
}
