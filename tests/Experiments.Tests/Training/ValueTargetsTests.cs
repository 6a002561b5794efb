using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Training;

public sealed class ValueTargetsTests : IDisposable
{
    private static readonly ITask Countdown3 = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3));
    private static readonly Tokenizer Tokens = TaskTokenizer.For(Countdown3);
    private readonly Problem Problem = Countdown3.Generate(Split.Train, 1, seed: 5)[0];
    private readonly WorkerPool _pool = new(1);

    public void Dispose() => _pool.Dispose();

    private Gpt RandomPolicy() => Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 32, Vocab: Tokens.VocabSize,
        Context: Demonstrations.ContextFor(Countdown3, [Problem])), seed: 2);

    /// <summary>A policy that has memorised the expert's solution of <see cref="Problem"/>: it finishes any expert prefix correctly.</summary>
    private Gpt MemorisingPolicy()
    {
        var model = RandomPolicy();
        var trainer = new ExampleTrainer(model, Tokens, _pool, new ExampleTrainerConfig(BatchSize: 1, LearningRate: 2e-2f, WarmupSteps: 5, WeightDecay: 0));
        var curve = trainer.Train([Demonstrations.Of(Countdown3, Problem)], 80, new Random(0));
        Assert.True(curve.Steps[^1].Losses.TokenLoss < 0.05f, $"memorising loss {curve.Steps[^1].Losses.TokenLoss}");
        return model;
    }

    private IReadOnlyList<TrainingExample> CollectAll(Gpt policy, ValuePrefixes prefixes, int seed, float temperature = 1f) =>
        ValueTargets.Collect(new GptDecoder(policy, _pool, slots: 12), Tokens, Countdown3, [Problem], samplesPerPrefix: 5, temperature, new Random(seed), prefixes);

    /// <summary>The Monte-Carlo targets of partial solutions (the finished samples' outcome targets left out).</summary>
    private IReadOnlyList<TrainingExample> Collect(Gpt policy, ValuePrefixes prefixes, int seed, float temperature = 1f) =>
        CollectAll(policy, prefixes, seed, temperature).Where(e => !e.Finished).ToList();

    [Fact]
    public void Finished_samples_become_value_examples_with_their_exact_verified_outcome()
    {
        var examples = CollectAll(MemorisingPolicy(), ValuePrefixes.Expert, seed: 0, temperature: 0.5f);
        var finished = examples.Where(e => e.Finished).ToList();
        Assert.NotEmpty(finished);
        Assert.Equal(finished.Count, finished.Select(e => e.Completion).Distinct().Count());
        Assert.All(finished, e =>
        {
            Assert.Equal(0f, e.Weight);
            Assert.Equal(Countdown3.Verify(Problem, e.Completion, new RewardConfig()).Correct ? 1f : 0f, e.ValueTarget);
        });
        Assert.Contains(finished, e => e.ValueTarget == 1f); // the memorised solution is among them
    }

    [Fact]
    public void Expert_prefixes_are_the_first_i_steps_as_value_only_partial_examples()
    {
        var steps = Countdown3.Solve(Problem);
        var examples = Collect(RandomPolicy(), ValuePrefixes.Expert, seed: 0);
        Assert.Equal(steps.Count, examples.Count); // i = 0 .. steps - 1: every prefix before the answer line
        for (int i = 0; i < examples.Count; i++)
        {
            Assert.Equal(Countdown3.Prompt(Problem), examples[i].Prompt);
            Assert.Equal(string.Concat(steps.Take(i).Select(s => s + "\n")), examples[i].Completion);
            Assert.False(examples[i].Finished);
            Assert.Equal(0f, examples[i].Weight);
            Assert.NotNull(examples[i].ValueTarget);
            Assert.Equal(0f, examples[i].ValueTarget!.Value * 5 % 1); // a fraction of 5 samples
        }
    }

    [Fact]
    public void A_policy_that_knows_the_solution_gets_high_targets_and_a_random_one_gets_zero()
    {
        var random = Collect(RandomPolicy(), ValuePrefixes.PolicyAndExpert, seed: 0);
        Assert.All(random, e => Assert.Equal(0f, e.ValueTarget));

        var memorised = Collect(MemorisingPolicy(), ValuePrefixes.Expert, seed: 0, temperature: 0.5f);
        Assert.All(memorised, e => Assert.True(e.ValueTarget >= 0.8f, $"prefix \"{e.Completion}\" has target {e.ValueTarget}"));
    }

    [Fact]
    public void Policy_prefixes_come_from_its_own_sample_and_a_seed_repeats_the_targets()
    {
        var policy = RandomPolicy();
        var first = Collect(policy, ValuePrefixes.Policy, seed: 3);
        Assert.Equal("", first[0].Completion);
        Assert.All(first, e => Assert.True(e.Completion.Length == 0 || e.Completion.EndsWith('\n')));
        var again = Collect(policy, ValuePrefixes.Policy, seed: 3);
        Assert.Equal(first.Select(e => (e.Completion, e.ValueTarget)), again.Select(e => (e.Completion, e.ValueTarget)));
    }

    [Fact]
    public void The_experts_whole_solution_is_a_finished_positive()
    {
        var examples = CollectAll(RandomPolicy(), ValuePrefixes.Expert, seed: 0);
        var expert = string.Join("\n", Countdown3.Solve(Problem));
        var finished = Assert.Single(examples, e => e.Finished && e.ValueTarget == 1f);
        Assert.Equal(expert, finished.Completion);
        Assert.DoesNotContain(CollectAll(RandomPolicy(), ValuePrefixes.Policy, seed: 0), e => e.Completion == expert && e.Finished);
    }

    [Fact]
    public void Many_problems_batched_in_one_decoder_get_the_same_prefixes_as_one_at_a_time()
    {
        var problems = Countdown3.Generate(Split.Train, 7, seed: 9);
        var policy = Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 32, Vocab: Tokens.VocabSize,
            Context: Demonstrations.ContextFor(Countdown3, problems)), seed: 2);
        IReadOnlyList<TrainingExample> Run(int slots, IReadOnlyList<Problem> some) =>
            ValueTargets.Collect(new GptDecoder(policy, _pool, slots), Tokens, Countdown3, some, samplesPerPrefix: 3, 1f, new Random(4), ValuePrefixes.Expert);
        var batched = Run(slots: 64, problems);
        var alone = problems.SelectMany(p => Run(slots: 6, [p])).ToList();
        // Samples differ (the random source is consumed in another order); the states valued do not.
        static IEnumerable<(string, string)> States(IEnumerable<TrainingExample> examples) =>
            examples.Where(e => !e.Finished || e.ValueTarget == 1f).Select(e => (e.Prompt, e.Completion));
        Assert.Equal(States(alone), States(batched));
        Assert.All(batched.Where(e => !e.Finished), e => Assert.Equal(0f, e.ValueTarget!.Value * 3 % 1, 5));
        Assert.Equal(problems.Count, batched.Count(e => e.Finished && e.ValueTarget == 1f));
        Assert.Equal(batched.Select(e => (e.Completion, e.ValueTarget)), Run(slots: 64, problems).Select(e => (e.Completion, e.ValueTarget)));
    }
}
