using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Training;

public sealed class OracleValueTargetsTests : IDisposable
{
    private static readonly ITask Countdown3 = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30));
    private static readonly Tokenizer Tokens = TaskTokenizer.For(Countdown3);
    private static readonly IReadOnlyList<Problem> Problems = Countdown3.Generate(Split.Train, 5, seed: 5);
    private readonly WorkerPool _pool = new(1);

    public void Dispose() => _pool.Dispose();

    private static Gpt RandomPolicy() => Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 32, Vocab: Tokens.VocabSize,
        Context: Demonstrations.ContextFor(Countdown3, Problems) + 16), seed: 2);

    private IReadOnlyList<TrainingExample> Collect(Gpt policy, int seed, int slots = 24) =>
        OracleValueTargets.Collect(new GptDecoder(policy, _pool, slots), Tokens, Countdown3, Problems, samples: 3, temperature: 1f, new Random(seed));

    private static IReadOnlyList<string> Lines(TrainingExample example) =>
        example.Completion.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Every_state_is_labelled_by_the_oracle_once_and_read_where_search_reads_it()
    {
        var policy = RandomPolicy();
        var examples = Collect(policy, seed: 1);
        foreach (var group in examples.GroupBy(e => e.Prompt))
        {
            var problem = Problems.Single(p => Countdown3.Prompt(p) == group.Key);
            Assert.Equal(group.Count(), group.Select(e => (e.Completion, e.Finished)).Distinct().Count());
            foreach (var example in group)
            {
                Assert.Equal(0f, example.Weight);
                Assert.Equal(Countdown3.IsSolvable(problem, Lines(example)) ? 1f : 0f, ValueScores.StateTarget(example));
                // A finished state ends with its answer line (its end token follows); a partial one after a separator.
                Assert.Equal(example.Finished, Lines(example).Count > 0 && Countdown3.IsAnswerLine(Lines(example)[^1]));
                Assert.True(example.Finished || example.Completion.Length == 0 || example.Completion.EndsWith('\n'));
                Assert.InRange(example.InputCount, 1, policy.Config.Context);
            }
        }
    }

    [Fact]
    public void The_expert_path_its_near_misses_and_the_policys_own_states_are_all_there()
    {
        var examples = Collect(RandomPolicy(), seed: 2);
        foreach (var problem in Problems)
        {
            var mine = examples.Where(e => e.Prompt == Countdown3.Prompt(problem)).ToList();
            var solution = Countdown3.Solve(problem);
            for (int i = 0; i < solution.Count; i++)
                Assert.Contains(mine, e => !e.Finished && e.Completion == string.Concat(solution.Take(i).Select(s => s + "\n")) && ValueScores.StateTarget(e) == 1f);
            Assert.Contains(mine, e => e.Finished && e.Completion == string.Join("\n", solution) && ValueScores.StateTarget(e) == 1f);
            // Near misses of the expert's steps are negatives on the expert's path.
            var firstStep = solution[0] + "\n";
            Assert.Contains(mine, e => !e.Finished && Lines(e).Count == 1 && e.Completion != firstStep && ValueScores.StateTarget(e) == 0f
                && Countdown3.Corruptions(problem, [], solution[0], new Random(0)).Count > 0);
            Assert.Contains(mine, e => e.Finished && e.Completion != string.Join("\n", solution) && ValueScores.StateTarget(e) == 0f);
            // A random policy writes garbage from the prompt: its states are there, unsolvable.
            Assert.Contains(mine, e => Lines(e).Count > 0 && !solution.Contains(Lines(e)[0]) && ValueScores.StateTarget(e) == 0f);
        }
        Assert.InRange(examples.Count(e => ValueScores.StateTarget(e) == 1f), 1, examples.Count - 1);
    }

    [Fact]
    public void Paths_carry_the_same_labelled_states_as_one_example_per_state()
    {
        var policy = RandomPolicy();
        var perState = Collect(policy, seed: 4).Select(e => (e.Prompt, e.Completion, e.Finished, ValueScores.StateTarget(e))).Order().ToList();
        var paths = OracleValueTargets.Collect(new GptDecoder(policy, _pool, 24), Tokens, Countdown3, Problems, samples: 3, temperature: 1f, new Random(4), paths: true);
        Assert.True(paths.Count < perState.Count);
        var unpacked = new List<(string, string, bool, float)>();
        foreach (var path in paths)
        {
            var lines = path.Completion.Split('\n');
            for (int i = 0; i < path.LineValues!.Length; i++)
                if (!float.IsNaN(path.LineValues[i])) unpacked.Add((path.Prompt, string.Concat(lines.Take(i).Select(l => l + "\n")), false, path.LineValues[i]));
            if (path.ValueTarget is { } end) unpacked.Add((path.Prompt, path.Completion, true, end));
        }
        Assert.Equal(perState, unpacked.Order().ToList());
    }

    [Fact]
    public void A_seed_repeats_the_targets_and_too_few_slots_are_refused()
    {
        var policy = RandomPolicy();
        static IEnumerable<(string, string, bool, float)> Key(IReadOnlyList<TrainingExample> examples) =>
            examples.Select(e => (e.Prompt, e.Completion, e.Finished, ValueScores.StateTarget(e)));
        Assert.Equal(Key(Collect(policy, seed: 3)), Key(Collect(policy, seed: 3)));
        Assert.Throws<ArgumentException>(() => Collect(policy, seed: 3, slots: 5));
    }
}
