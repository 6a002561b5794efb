using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy.Tests;

public class GptDecoderTests
{
    private static readonly GptConfig Config = new(Layers: 2, Heads: 2, ModelDim: 16, Vocab: 11, Context: 12);

    private static Gpt Model()
    {
        var model = Gpt.CreateRandom(Config, 9);
        var random = new Random(10);
        // Larger weights than the init make the logits differ clearly between positions, so a wrong cache row shows.
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += (float)(random.NextDouble() - 0.5) * 0.5f;
        return model;
    }

    /// <summary>Logits (T,V) and value logits (T) of one whole sequence, recomputed without a cache.</summary>
    private static (float[] Logits, float[] Values) Full(Gpt model, WorkerPool pool, int[] sequence)
    {
        var acts = new GptActivations(model.Config, 1, sequence.Length);
        model.Forward(pool, acts, sequence, 1, sequence.Length);
        return (acts.Logits.ToArray(), acts.ValueLogits.ToArray());
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 3)] // prefills longer than 3 rows run in chunks
    public void Cached_steps_of_slots_at_different_positions_match_recomputing_each_sequence(int threads, int maxRows)
    {
        var model = Model();
        using var pool = new WorkerPool(threads);
        var decoder = new GptDecoder(model, pool, slots: 4, maxRows);
        int[][] prompts = [[1, 5, 6], [1, 7], [1, 4, 9, 9, 8, 2]];
        var slots = prompts.Select(_ => decoder.Allocate()).ToArray();
        var sequences = prompts.Select(p => p.ToList()).ToArray();
        for (int i = 0; i < slots.Length; i++) decoder.Prefill(slots[i], prompts[i]);
        var random = new Random(3);
        for (int step = 0; step < 5; step++)
        {
            for (int i = 0; i < slots.Length; i++)
            {
                var (logits, values) = Full(model, pool, sequences[i].ToArray());
                int last = sequences[i].Count - 1;
                AssertClose(logits.AsSpan(last * Config.Vocab, Config.Vocab), decoder.Logits(slots[i]), $"slot {i} step {step} logits");
                Assert.Equal(ValueLoss.Sigmoid(values[last]), decoder.Value(slots[i]), 1e-5);
            }
            var tokens = slots.Select(_ => random.Next(Config.Vocab)).ToArray();
            decoder.Append(slots, tokens);
            for (int i = 0; i < slots.Length; i++) sequences[i].Add(tokens[i]);
        }
        Assert.Equal([8, 7, 11], slots.Select(decoder.Length));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 4)] // runs of 4 rows: slots' tokens split across runs
    public void Extending_several_slots_by_several_tokens_in_one_call_matches_recomputing_each_sequence(int threads, int maxRows)
    {
        // The last layer runs only on each slot's last row of a run: every slot's logits and value, and the keys the
        // next step reads, must still be those of the whole model. A slot extended by no tokens keeps its own.
        var model = Model();
        using var pool = new WorkerPool(threads);
        var decoder = new GptDecoder(model, pool, slots: 4, maxRows);
        var slots = Enumerable.Range(0, 4).Select(_ => decoder.Allocate()).ToArray();
        int[][] prompts = [[1, 5], [1, 7, 3], [1], [1, 4, 9]];
        for (int i = 0; i < slots.Length; i++) decoder.Prefill(slots[i], prompts[i]);
        int[][] more = [[6, 2, 8], [], [9, 9, 4, 4, 2], [3]];
        decoder.Extend(slots, more.SelectMany(t => t).ToArray(), more.Select(t => t.Length).ToArray());
        AssertMatchesFull(i => prompts[i].Concat(more[i]), "extended");
        decoder.Append(slots, [2, 2, 2, 2]);
        AssertMatchesFull(i => prompts[i].Concat(more[i]).Append(2), "then appended");

        void AssertMatchesFull(Func<int, IEnumerable<int>> sequenceOf, string when)
        {
            for (int i = 0; i < slots.Length; i++)
            {
                var sequence = sequenceOf(i).ToArray();
                var (logits, values) = Full(model, pool, sequence);
                int last = sequence.Length - 1;
                AssertClose(logits.AsSpan(last * Config.Vocab, Config.Vocab), decoder.Logits(slots[i]), $"slot {i} {when} logits");
                Assert.Equal(ValueLoss.Sigmoid(values[last]), decoder.Value(slots[i]), 1e-5);
            }
        }
    }

    [Fact]
    public void A_decoder_follows_the_weights_after_a_training_step_or_a_written_parameter()
    {
        // Prefills of 8 rows multiply by the packed copy of the weights (a few rows read the weights themselves): the
        // copy must be made again once the trainer steps, or once code that writes parameters says it did.
        var model = Model();
        using var pool = new WorkerPool(2);
        var decoder = new GptDecoder(model, pool, slots: 3);
        int[] prompt = [1, 5, 6, 2, 9, 3, 3, 7];
        AssertFollowsTheModel("before training");

        var trainer = new GptTrainer(model, pool, maxBatch: 1, maxTime: 8, new TrainerConfig(MaxLearningRate: 0.05f, WarmupSteps: 0));
        var batch = new TrainingBatch(1, 8);
        prompt.CopyTo(batch.Tokens);
        prompt.Skip(1).Append(4).ToArray().CopyTo(batch.Targets);
        batch.LossWeights.Fill(1f);
        trainer.Step(batch);
        AssertFollowsTheModel("after a training step");

        for (int i = 0; i < model.Parameters.Length; i += 3) model.Parameters[i] *= -1f;
        model.ParametersChanged();
        AssertFollowsTheModel("after writing parameters");

        void AssertFollowsTheModel(string when)
        {
            int slot = decoder.Allocate();
            decoder.Prefill(slot, prompt);
            var (logits, values) = Full(model, pool, prompt);
            AssertClose(logits.AsSpan((prompt.Length - 1) * Config.Vocab, Config.Vocab), decoder.Logits(slot), $"{when}: logits");
            Assert.Equal(ValueLoss.Sigmoid(values[^1]), decoder.Value(slot), 1e-5);
            decoder.Free(slot);
        }
    }

    [Fact]
    public void A_forked_slot_continues_exactly_like_its_parent()
    {
        var model = Model();
        using var pool = new WorkerPool(2);
        var decoder = new GptDecoder(model, pool, slots: 3);
        int parent = decoder.Allocate();
        decoder.Prefill(parent, [1, 4, 5, 6]);
        int child = decoder.Fork(parent);
        Assert.Equal(4, decoder.Length(child));
        Assert.Equal(decoder.Logits(parent).ToArray(), decoder.Logits(child).ToArray());
        int[] continuation = [7, 3, 9];
        foreach (int token in continuation) decoder.Append([parent, child], [token, token]);
        Assert.Equal(decoder.Logits(parent).ToArray(), decoder.Logits(child).ToArray());
        Assert.Equal(decoder.Value(parent), decoder.Value(child));

        decoder.Free(parent); // the child owns its copy: freeing and reusing the parent's slot leaves it intact
        int other = decoder.Allocate();
        decoder.Prefill(other, [2, 2, 2, 2, 2, 2, 2, 2]);
        var (logits, _) = Full(model, pool, [1, 4, 5, 6, 7, 3, 9]);
        AssertClose(logits.AsSpan(6 * Config.Vocab, Config.Vocab), decoder.Logits(child), "child after the parent's slot was reused");
    }

    [Fact]
    public void Greedy_generation_follows_the_argmax_of_the_full_model_and_reports_log_probabilities()
    {
        var model = Model();
        using var pool = new WorkerPool(1);
        var decoder = new GptDecoder(model, pool, slots: 2);
        int[] prompt = [1, 4, 5];
        int slot = decoder.Allocate();
        decoder.Prefill(slot, prompt);
        decoder.Generate([slot], SamplingConfig.Greedy, new Random(0), maxNewTokens: 6, stopTokens: []);
        Assert.Equal(FinishReason.MaxTokens, decoder.Finish(slot));
        var generated = decoder.Generated(slot).ToArray();
        Assert.Equal(6, generated.Length);
        var sequence = prompt.Concat(generated).ToArray();
        var (logits, _) = Full(model, pool, sequence);
        for (int i = 0; i < generated.Length; i++)
        {
            var row = logits.AsSpan((prompt.Length - 1 + i) * Config.Vocab, Config.Vocab);
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row), generated[i]);
            Assert.Equal(row[generated[i]] - Softmax.LogSumExp(row), decoder.GeneratedLogProbabilities(slot)[i], 1e-4);
        }
        Assert.Equal(prompt.Length + 6, decoder.Length(slot)); // generated tokens are in the cache
    }

    [Fact]
    public void Generation_stops_at_a_stop_token_or_a_full_context()
    {
        var model = Model();
        using var pool = new WorkerPool(1);
        var decoder = new GptDecoder(model, pool, slots: 2);
        int a = decoder.Allocate(), b = decoder.Allocate();
        decoder.Prefill(a, [1, 4]);
        decoder.Prefill(b, [1, 4, 5, 6, 7, 8, 9, 10, 4, 5]);
        int firstGreedy = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(decoder.Logits(a));
        decoder.Generate([a, b], SamplingConfig.Greedy, new Random(0), maxNewTokens: 10, stopTokens: [firstGreedy]);
        Assert.Equal(FinishReason.StopToken, decoder.Finish(a));
        Assert.Equal([firstGreedy], decoder.Generated(a).ToArray());
        if (decoder.Finish(b) != FinishReason.StopToken)
        {
            Assert.Equal(FinishReason.ContextFull, decoder.Finish(b));
            Assert.Equal(Config.Context, decoder.Length(b));
            Assert.Equal(2, decoder.Generated(b).Length);
        }
    }

    [Fact]
    public void Propose_line_generates_up_to_and_including_the_step_separator()
    {
        // ln_f with zero gain outputs its bias e0 at every position, so logits = wte[:,0]: token 4 (2.0) and the separator
        // (1.5) share the mass and a sampled line is some 4s then the separator.
        var model = Model();
        var p = model.Parameters;
        model.Layout.LnFWeight.Of(p).Clear();
        var bias = model.Layout.LnFBias.Of(p);
        bias.Clear();
        bias[0] = 1;
        for (int v = 0; v < Config.Vocab; v++) p[model.Layout.Wte.Offset + v * Config.ModelDim] = v == 4 ? 2f : v == Tokenizer.StepSeparator ? 1.5f : -20f;
        using var pool = new WorkerPool(1);
        var decoder = new GptDecoder(model, pool, slots: 2);
        int slot = decoder.Allocate();
        decoder.Prefill(slot, [1, 4]);
        var line = decoder.ProposeLine(slot, new SamplingConfig(), new Random(5), maxTokens: 8).ToArray();
        Assert.Equal(FinishReason.StopToken, decoder.Finish(slot));
        Assert.Equal(Tokenizer.StepSeparator, line[^1]);
        Assert.All(line[..^1], t => Assert.Equal(4, t));
        Assert.Equal(2 + line.Length, decoder.Length(slot)); // the slot now sits at the start of the next line
    }

    [Fact]
    public void Warm_decoding_steps_allocate_nothing()
    {
        var model = Model();
        using var pool = new WorkerPool(1);
        var decoder = new GptDecoder(model, pool, slots: 2);
        int a = decoder.Allocate(), b = decoder.Allocate();
        decoder.Prefill(a, [1, 4]);
        decoder.Prefill(b, [1]);
        var random = new Random(2);
        var sampling = new SamplingConfig(0.8f, TopK: 5, TopP: 0.9f);
        int[] slots = [a, b];
        decoder.Generate(slots, sampling, random, 2, []);
        // Two trials of 3 tokens fit in the context of 12 (a third would find slot a full and do nothing).
        Assert.Equal(0, Allocations.Fewest(() => decoder.Generate(slots, sampling, random, 3, []), trials: 2));
    }
}
