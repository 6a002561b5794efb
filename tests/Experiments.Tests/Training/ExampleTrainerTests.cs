using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Policy.Tests;
using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Experiments.Tests.Training;

public sealed class ExampleTrainerTests : IDisposable
{
    private static readonly Tokenizer Letters = new("abcdef=+ ");
    private readonly WorkerPool _pool = new(1);

    public void Dispose() => _pool.Dispose();

    /// <summary>A tiny model with weights large enough that per-token losses differ (0.02 init makes every logit nearly equal).</summary>
    private static Gpt TinyModel(int context = 24, int seed = 3)
    {
        var model = Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 16, Vocab: Letters.VocabSize, Context: context), seed);
        foreach (var view in model.Layout.Tensors)
            if (view.Shape.Length == 2) System.Numerics.Tensors.TensorPrimitives.Multiply(view.Of(model.Parameters), 25f, view.Of(model.Parameters));
        return model;
    }

    private ExampleTrainer Trainer(Gpt model, ExampleTrainerConfig? config = null) =>
        new(model, Letters, _pool, config ?? new ExampleTrainerConfig(BatchSize: 4, WarmupSteps: 0));

    /// <summary>Logits (T,V) and value logits (T) of one unpadded sequence, by the model's own forward.</summary>
    private (float[] Logits, float[] ValueLogits) RunAlone(Gpt model, int[] tokens)
    {
        var acts = new GptActivations(model.Config, 1, tokens.Length);
        model.Forward(_pool, acts, tokens, 1, tokens.Length);
        return (acts.Logits.ToArray(), acts.ValueLogits.ToArray());
    }

    private static int[] Inputs(TrainingExample example) => [Tokenizer.Begin, .. Letters.Encode(example.Prompt), .. Letters.Encode(example.Completion)];

    /// <summary>-log p(target) at input position t, from scratch in double.</summary>
    private static double Nll(float[] logits, int vocab, int t, int target)
    {
        var row = logits.AsSpan(t * vocab, vocab);
        double max = row.ToArray().Max(), sum = 0;
        foreach (float x in row) sum += Math.Exp(x - max);
        return max + Math.Log(sum) - row[target];
    }

    /// <summary>The policy loss the trainer documents, computed one unpadded example at a time.</summary>
    private double ExpectedPolicyLoss(Gpt model, IReadOnlyList<TrainingExample> batch)
    {
        double total = 0;
        int counted = 0;
        foreach (var example in batch)
        {
            var inputs = Inputs(example);
            var (logits, _) = RunAlone(model, inputs);
            int prompt = example.Prompt.Length;
            for (int j = 0; j < example.TargetCount; j++)
            {
                int target = j < example.Completion.Length ? inputs[1 + prompt + j] : Tokenizer.End;
                float w = example.Weight * (example.TokenWeights?[j] ?? 1f);
                if (w == 0) continue;
                counted++;
                total += w * Nll(logits, model.Config.Vocab, prompt + j, target);
            }
        }
        return total / counted;
    }

    /// <summary>The batch's gradients against central differences of its total loss, on the 12 largest (float32 differences are reliable there).</summary>
    private static void AssertGradientsMatchFiniteDifferences(Gpt model, ExampleTrainer trainer, IReadOnlyList<TrainingExample> batch)
    {
        trainer.ComputeGradients(batch);
        var gradients = trainer.Gradients.ToArray();
        var checkedIndices = Enumerable.Range(0, gradients.Length).OrderByDescending(i => Math.Abs(gradients[i])).Take(12).ToArray();
        const float epsilon = 1e-2f;
        foreach (int i in checkedIndices)
        {
            float saved = model.Parameters[i];
            model.Parameters[i] = saved + epsilon;
            double plus = trainer.Evaluate(batch).Total;
            model.Parameters[i] = saved - epsilon;
            double minus = trainer.Evaluate(batch).Total;
            model.Parameters[i] = saved;
            double numeric = (plus - minus) / (2 * epsilon);
            Assert.True(Math.Abs(numeric - gradients[i]) <= 0.05 * Math.Abs(gradients[i]) + 1e-3,
                $"parameter {i}: analytic {gradients[i]}, numeric {numeric}");
        }
    }

    private readonly TrainingExample[] Mixed =
    [
        new("ab=\n", "ba\nc"),
        new("abcdef+\n", "fe"),
        new("a\n", "dd d", Weight: 2f),
        new("ccc\n", "ab\n", Finished: false),
    ];

    [Fact]
    public void Policy_loss_is_the_weighted_nll_of_completion_tokens_only()
    {
        var model = TinyModel();
        var losses = Trainer(model).Evaluate(Mixed);
        Assert.Equal(ExpectedPolicyLoss(model, Mixed), losses.TokenLoss, 4);
        Assert.Null(losses.ValueLoss);
        Assert.Equal(losses.TokenLoss, losses.Total, 6);

        // Counting the prompt as well gives a clearly different number, so the comparison above can fail.
        var promptAsCompletion = Mixed.Select(e => new TrainingExample("", e.Prompt + e.Completion, e.Weight, Finished: e.Finished)).ToArray();
        Assert.NotEqual(losses.TokenLoss, (float)ExpectedPolicyLoss(model, promptAsCompletion), 2);
    }

    [Fact]
    public void Token_weights_multiply_the_example_weight_and_may_be_negative()
    {
        var model = TinyModel();
        var trainer = Trainer(model);
        var plain = new TrainingExample("ab=\n", "ba\nc");
        float baseline = trainer.Evaluate([plain]).TokenLoss;

        Assert.Equal(baseline, trainer.Evaluate([plain with { TokenWeights = [1, 1, 1, 1, 1] }]).TokenLoss, 5);
        Assert.Equal(2 * baseline, trainer.Evaluate([plain with { Weight = 2 }]).TokenLoss, 4);
        Assert.Equal(-baseline, trainer.Evaluate([plain with { Weight = -1 }]).TokenLoss, 5);
        // A value-only example (weight 0) neither adds to the loss nor dilutes the mean.
        Assert.Equal(baseline, trainer.Evaluate([plain, new TrainingExample("abcdef\n", "aaaa", Weight: 0)]).TokenLoss, 5);

        var weighted = plain with { TokenWeights = [0.5f, -1f, 0f, 2f, 1f] };
        Assert.Equal(ExpectedPolicyLoss(model, [weighted]), trainer.Evaluate([weighted]).TokenLoss, 4);
    }

    [Fact]
    public void Value_loss_is_the_bce_of_the_value_head_at_the_last_token_of_a_partial_solution_and_at_the_end_token_of_a_finished_one()
    {
        var model = TinyModel();
        var trainer = Trainer(model, new ExampleTrainerConfig(BatchSize: 4, PolicyLossWeight: 0f, ValueLossWeight: 0.5f));
        TrainingExample[] batch =
        [
            new("ab=\n", "ba\n", Weight: 0, ValueTarget: 0.25f, Finished: false),
            new("abcdef+\n", "", Weight: 0, ValueTarget: 1f, Finished: false),
            new("a\n", "dd d", ValueTarget: 0f),
            new("ccc\n", "ab"),
        ];
        double expected = 0;
        foreach (var example in batch.Take(3))
        {
            // A finished example's value is read after its end token, as search reads a finished answer's state.
            int[] inputs = example.Finished ? [.. Inputs(example), Tokenizer.End] : Inputs(example);
            float z = RunAlone(model, inputs).ValueLogits[^1];
            double v = 1 / (1 + Math.Exp(-z)), y = example.ValueTarget!.Value;
            expected += -(y * Math.Log(v) + (1 - y) * Math.Log(1 - v));
        }
        expected /= 3;
        var losses = trainer.Evaluate(batch);
        Assert.Equal(expected, losses.ValueLoss!.Value, 4);
        Assert.Equal(0.5 * expected, losses.Total, 4);
    }

    [Fact]
    public void Line_values_train_every_state_of_a_path_as_if_each_were_its_own_example()
    {
        var model = TinyModel(context: 32);
        var trainer = Trainer(model, new ExampleTrainerConfig(BatchSize: 8, PolicyLossWeight: 0f));
        // Causal attention: the state after a separator reads nothing after it, so one row holds them all.
        TrainingExample[] paths =
        [
            new("ab=\n", "ba\nab\nc", Weight: 0, ValueTarget: 1f, LineValues: [0.5f, float.NaN, 0f]),
            new("ccc\n", "a\nbb\n", Weight: 0, Finished: false, LineValues: [1f, 0.25f, 0f]),
        ];
        TrainingExample[] states =
        [
            new("ab=\n", "", Weight: 0, ValueTarget: 0.5f, Finished: false),
            new("ab=\n", "ba\nab\n", Weight: 0, ValueTarget: 0f, Finished: false),
            new("ab=\n", "ba\nab\nc", Weight: 0, ValueTarget: 1f),
            new("ccc\n", "", Weight: 0, ValueTarget: 1f, Finished: false),
            new("ccc\n", "a\n", Weight: 0, ValueTarget: 0.25f, Finished: false),
            new("ccc\n", "a\nbb\n", Weight: 0, ValueTarget: 0f, Finished: false),
        ];
        Assert.Equal(trainer.Evaluate(states).ValueLoss!.Value, trainer.Evaluate(paths).ValueLoss!.Value, 5);
        var wrong = Assert.Throws<ArgumentException>(() => trainer.Evaluate([paths[1] with { LineValues = [1f, 0f] }]));
        Assert.Contains("2 line values for 3 states", wrong.Message);
        Assert.Throws<ArgumentException>(() => trainer.Evaluate([paths[1] with { ValueTarget = 1f }]));
    }

    [Fact]
    public void Values_along_lines_train_every_token_of_a_line_towards_its_states_target()
    {
        var model = TinyModel(context: 32);
        var trainer = Trainer(model, new ExampleTrainerConfig(BatchSize: 4, PolicyLossWeight: 0f, PositiveValueWeight: 3f));
        var path = new TrainingExample("ab=\n", "ba\nab\nc+", Weight: 0, ValueTarget: 1f, LineValues: [0.5f, float.NaN, 0f], ValuesAlongLines: true);
        // Inputs: [Begin] a b = \n | b a \n | a b \n | c + | [End]; positions 0..4 prompt, 5-7 line 1, 8-10 line 2, 11-12 answer, 13 end.
        (int Position, float Target)[] expected = [(4, 0.5f), (8, 0f), (9, 0f), (10, 0f), (11, 1f), (12, 1f), (13, 1f)];
        var valueLogits = RunAlone(model, [.. Inputs(path), Tokenizer.End]).ValueLogits;
        double total = 0, weights = 0;
        foreach (var (position, y) in expected)
        {
            double v = 1 / (1 + Math.Exp(-valueLogits[position])), w = 1 + 2 * y;
            total += w * -(y * Math.Log(v) + (1 - y) * Math.Log(1 - v));
            weights += w;
        }
        Assert.Equal(total / weights, trainer.Evaluate([path]).ValueLoss!.Value, 4);
    }

    [Fact]
    public void Gradients_match_finite_differences_of_the_total_loss_with_signed_token_weights()
    {
        var model = TinyModel(seed: 5);
        var trainer = Trainer(model, new ExampleTrainerConfig(BatchSize: 4, ValueLossWeight: 0.7f));
        TrainingExample[] batch =
        [
            new("ab=\n", "ba\nc", TokenWeights: [0.5f, -1f, 0f, 2f, 1f], ValueTarget: 0.3f),
            new("abcdef+\n", "fe", Weight: -0.5f),
            new("ccc\n", "ab\n", Weight: 0, ValueTarget: 0.9f, Finished: false),
        ];
        AssertGradientsMatchFiniteDifferences(model, trainer, batch);
    }

    [Fact]
    public void The_kl_term_is_computed_with_the_current_policy_and_its_gradient_matches_finite_differences()
    {
        var model = TinyModel(seed: 6);
        var trainer = Trainer(model, new ExampleTrainerConfig(BatchSize: 4, KlBeta: 0.7f));
        var plain = new TrainingExample("ab=\n", "ba\nc", Weight: 1.5f);
        var other = new TrainingExample("abcdef+\n", "fe", Weight: -0.5f);
        // At the reference itself the KL is 0: the loss is the plain weighted NLL.
        float[] Current(TrainingExample e)
        {
            var inputs = Inputs(e);
            var (logits, _) = RunAlone(model, inputs);
            return Enumerable.Range(0, e.TargetCount).Select(j => (float)-Nll(logits, model.Config.Vocab, e.Prompt.Length + j,
                j < e.Completion.Length ? inputs[1 + e.Prompt.Length + j] : Tokenizer.End)).ToArray();
        }
        TrainingExample[] atReference = [plain with { ReferenceLogProbs = Current(plain) }, other with { ReferenceLogProbs = Current(other) }];
        Assert.Equal(trainer.Evaluate([plain, other]).Total, trainer.Evaluate(atReference).Total, 4);
        // Away from it the KL is positive, and the total loss is what the gradients differentiate.
        TrainingExample[] batch =
        [
            plain with { ReferenceLogProbs = [-0.2f, -3f, -1f, -0.5f, -2f] },
            other with { ReferenceLogProbs = [-1f, -0.1f, -4f] },
            new("ccc\n", "ab", Weight: 0f, ReferenceLogProbs: [-2f, -2f, -2f]), // a group without signal: only the KL pulls
        ];
        // k3 >= 0, and is > 0 off the reference: over the same counted positions the KL only adds.
        Assert.True(trainer.Evaluate(batch[..2]).Total > trainer.Evaluate([plain, other]).Total + 1e-3);
        AssertGradientsMatchFiniteDifferences(model, trainer, batch);
        Assert.Contains("reference log-probabilities", Assert.Throws<ArgumentException>(() =>
            trainer.Train([plain with { ReferenceLogProbs = [-1f] }], 1, new Random(0))).Message);
        Assert.Contains("not a finite number", Assert.Throws<ArgumentException>(() =>
            trainer.Train([plain with { ReferenceLogProbs = [-1f, -1f, float.NegativeInfinity, -1f, -1f] }], 1, new Random(0))).Message);
    }

    [Fact]
    public void An_example_longer_than_the_context_is_an_error_naming_it()
    {
        var trainer = Trainer(TinyModel(context: 10));
        var error = Assert.Throws<ArgumentException>(() => trainer.Train([new("ab\n", "cc"), new("abcdef\n", "abc")], 1, new Random(0)));
        Assert.Contains("training example 1 \"abcdef\"", error.Message);
        Assert.Contains("context 10", error.Message);
        // Unfinished, the same text fits: no end token is needed.
        Assert.Single(trainer.Train([new("abcdef\n", "ab", Finished: false)], 1, new Random(0)).Steps);
    }

    [Fact]
    public void Token_weights_of_the_wrong_length_and_unknown_characters_are_errors_naming_the_example()
    {
        var trainer = Trainer(TinyModel());
        Assert.Contains("training example 0 \"ab\" has 2 token weights for 3",
            Assert.Throws<ArgumentException>(() => trainer.Train([new("ab\n", "cc", TokenWeights: [1, 1])], 1, new Random(0))).Message);
        Assert.Contains("training example 0 \"ab\": character 'x'",
            Assert.Throws<FormatException>(() => trainer.Train([new("ab\n", "cx")], 1, new Random(0))).Message);
    }

    [Fact]
    public void Training_lowers_the_loss_and_repeats_with_the_same_seed()
    {
        TrainingExample[] examples = [new("ab\n", "ba"), new("cd\n", "dc"), new("ef\n", "fe"), new("ab=\n", "a+b")];
        LossCurve Run()
        {
            var model = Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 16, Vocab: Letters.VocabSize, Context: 12), 1);
            return new ExampleTrainer(model, Letters, _pool, new ExampleTrainerConfig(BatchSize: 3, LearningRate: 1e-2f, WarmupSteps: 5)).Train(examples, 60, new Random(7));
        }
        var first = Run();
        Assert.Equal(60, first.Steps.Count);
        Assert.True(first.Steps[^1].Losses.TokenLoss < 0.3f * first.Steps[0].Losses.TokenLoss,
            $"loss went from {first.Steps[0].Losses.TokenLoss} to {first.Steps[^1].Losses.TokenLoss}");
        Assert.Equal(first.Steps.Select(s => s.Losses.Total), Run().Steps.Select(s => s.Losses.Total));
    }

    [Fact]
    public void A_warm_step_allocates_nothing()
    {
        var trainer = Trainer(TinyModel());
        TrainingExample[] batch = [.. Mixed.Take(3), new("ab\n", "c", Weight: 0, ValueTarget: 0.5f, Finished: false)];
        trainer.Step(batch);
        trainer.Step(batch);
        Assert.Equal(0, Allocations.Fewest(() => trainer.Step(batch)));
    }

    [Fact]
    public void Loss_curve_is_written_as_csv_and_svg()
    {
        using var folder = new TempFolder();
        var curve = new LossCurve([new TrainingStep(1, new TrainingLosses(2.5f, 2f, 2f, 1f), 0.5f, 1e-3f), new TrainingStep(2, new TrainingLosses(1f, 1f, 1f, null), 0.4f, 1e-3f)]);
        string csv = Path.Combine(folder.Path, "c.csv"), svg = Path.Combine(folder.Path, "c.svg");
        curve.WriteCsv(csv);
        curve.WriteSvg(svg, "sft");
        var lines = File.ReadAllLines(csv);
        Assert.Equal(LossCurve.CsvHeader, lines[0]);
        Assert.Equal("1,2.5,2,2,1,0.5,0.001", lines[1]);
        Assert.Equal("2,1,1,1,,0.4,0.001", lines[2]);
        Assert.Contains("value loss", File.ReadAllText(svg));
    }
}
