using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;
using Reasoner.Tensors.Tests;

namespace Reasoner.Policy.Tests;

public class GptTests
{
    private static readonly GptConfig Tiny = new(Layers: 2, Heads: 2, ModelDim: 8, Vocab: 7, Context: 6);

    /// <summary>A random model whose biases, gains and value head are not at their init, so every path carries gradient.</summary>
    private static Gpt PerturbedModel(int seed)
    {
        var model = Gpt.CreateRandom(Tiny, seed);
        var random = new Random(seed + 1);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += (float)(random.NextDouble() - 0.5) * 0.4f;
        return model;
    }

    [Fact]
    public void A_clone_has_the_same_parameters_and_changing_one_leaves_the_other()
    {
        var model = PerturbedModel(2);
        var clone = model.Clone();
        Assert.Equal(model.Config, clone.Config);
        Assert.Equal(model.Parameters, clone.Parameters);
        clone.Parameters[3] += 1f;
        Assert.NotEqual(model.Parameters[3], clone.Parameters[3]);
    }

    private static TrainingBatch FilledBatch(GptTrainer trainer, TokenObjective objective, ValueLossKind valueLoss, int batch, int time)
    {
        var data = trainer.CreateBatch();
        data.Resize(batch, time);
        var random = new Random(5);
        for (int i = 0; i < batch * time; i++)
        {
            data.Tokens[i] = random.Next(Tiny.Vocab);
            data.Targets[i] = random.Next(Tiny.Vocab);
            data.LossWeights[i] = i % time == 0 ? 0 : 1; // the first position plays the prompt
            data.ValueTargets[i] = (float)random.NextDouble();
            data.ValueWeights[i] = i % 3 == 0 ? 0 : 0.5f + i % 2;
        }
        for (int b = 0; b < batch; b++) data.SequenceWeights[b] = b % 2 == 0 ? 1.5f : -0.7f;
        data.Objective = objective;
        data.ValueLoss = valueLoss;
        return data;
    }

    private static double ReferenceLoss(Gpt model, double[] p, TrainingBatch data, float valueLossWeight)
    {
        int n = data.Batch * data.Time;
        var (logits, values) = ReferenceGpt.Forward(model.Config, model.Layout, p, data.Tokens.ToArray(), data.Batch, data.Time);
        var ce = Reference.CrossEntropy(logits, data.Targets.ToArray(), n, model.Config.Vocab);
        double token = 0, weights = 0, value = 0, valueWeights = 0;
        for (int i = 0; i < n; i++)
        {
            token += (data.Objective == TokenObjective.MeanCrossEntropy ? 1 : data.SequenceWeights[i / data.Time]) * data.LossWeights[i] * ce[i];
            weights += data.LossWeights[i];
            double y = data.ValueTargets[i];
            value += data.ValueWeights[i] * (data.ValueLoss == ValueLossKind.MeanSquared
                ? Reference.MeanSquaredValue(values[i], y) : Reference.BinaryCrossEntropyValue(values[i], y));
            valueWeights += data.ValueWeights[i];
        }
        if (data.Objective == TokenObjective.MeanCrossEntropy) token /= weights;
        return token + valueLossWeight * value / valueWeights;
    }

    [Theory]
    [InlineData(TokenObjective.MeanCrossEntropy, ValueLossKind.MeanSquared, 1)]
    [InlineData(TokenObjective.SequenceWeightedLogLikelihood, ValueLossKind.BinaryCrossEntropy, 2)]
    public void Every_parameter_gradient_of_the_whole_model_matches_finite_differences(TokenObjective objective, ValueLossKind valueLoss, int threads)
    {
        var model = PerturbedModel(3);
        using var pool = new WorkerPool(threads);
        var trainer = new GptTrainer(model, pool, maxBatch: 3, maxTime: 5, new TrainerConfig(ValueLossWeight: 0.5f));
        var data = FilledBatch(trainer, objective, valueLoss, batch: 2, time: 4); // smaller than the preallocated maximum
        trainer.ZeroGradients();
        var losses = trainer.Forward(data);
        trainer.Backward();
        Assert.Equal(ReferenceLoss(model, GradCheck.ToDouble(model.Parameters), data, 0.5f), losses.Total, 1e-4);
        Assert.NotNull(losses.ValueLoss);
        var numeric = GradCheck.Numeric(p => ReferenceLoss(model, p, data, 0.5f), model.Parameters, 1e-5);
        GradCheck.AssertClose(numeric, trainer.Gradients, 2e-2, 2e-4, "dparameters");
    }

    [Fact]
    public void A_warm_training_step_allocates_nothing()
    {
        var model = Gpt.CreateRandom(Tiny, 1);
        using var pool = new WorkerPool(1); // inline on this thread, so Allocations sees every kernel
        var trainer = new GptTrainer(model, pool, 2, 5);
        var data = FilledBatch(trainer, TokenObjective.MeanCrossEntropy, ValueLossKind.BinaryCrossEntropy, 2, 5);
        trainer.Step(data);
        data.Resize(1, 3); // a smaller batch reuses the buffers
        data.LossWeights.Fill(1);
        trainer.Step(data);
        Assert.Equal(0, Allocations.Fewest(() => trainer.Step(data)));
    }

    [Fact]
    public void A_non_finite_gradient_updates_nothing_so_the_next_step_is_the_one_an_untouched_trainer_takes()
    {
        using var pool = new WorkerPool(1);
        GptTrainer Trainer() => new(Gpt.CreateRandom(Tiny, 3), pool, 2, 5, new TrainerConfig(MaxLearningRate: 1e-2f, WarmupSteps: 2, DecaySteps: 10));
        var (poisoned, untouched) = (Trainer(), Trainer());
        var data = FilledBatch(poisoned, TokenObjective.MeanCrossEntropy, ValueLossKind.BinaryCrossEntropy, 2, 5);
        Assert.Equal(untouched.Step(data), poisoned.Step(data));
        var before = poisoned.Model.Parameters.ToArray();

        float weight = data.LossWeights[1];
        data.LossWeights[1] = float.NaN;
        var skipped = poisoned.Step(data);
        Assert.True(skipped.Skipped);
        Assert.True(float.IsNaN(skipped.GradNorm));
        Assert.Equal((2, 1), (skipped.Step, poisoned.StepsTaken));
        Assert.Equal(before, poisoned.Model.Parameters);

        // Any change to the AdamW moments or the step count would show in the next update.
        data.LossWeights[1] = weight;
        Assert.Equal(untouched.Step(data), poisoned.Step(data));
        Assert.Equal(untouched.Model.Parameters, poisoned.Model.Parameters);
    }

    [Fact]
    public void Training_on_one_batch_drives_its_loss_down()
    {
        var model = Gpt.CreateRandom(Tiny, 2);
        using var pool = new WorkerPool(2);
        var trainer = new GptTrainer(model, pool, 2, 6, new TrainerConfig(MaxLearningRate: 1e-2f, WarmupSteps: 2));
        var data = FilledBatch(trainer, TokenObjective.MeanCrossEntropy, ValueLossKind.MeanSquared, 2, 6);
        var first = trainer.Step(data);
        TrainingStep last = first;
        for (int i = 0; i < 40; i++) last = trainer.Step(data);
        Assert.True(last.Losses.TokenLoss < 0.5f * first.Losses.TokenLoss, $"token loss {first.Losses.TokenLoss} -> {last.Losses.TokenLoss}");
        Assert.True(last.Losses.ValueLoss < first.Losses.ValueLoss);
        Assert.Equal(41, trainer.StepsTaken);
        Assert.Equal(5e-3f, first.LearningRate, 1e-7); // warm-up: step 0 of 2
    }
}
