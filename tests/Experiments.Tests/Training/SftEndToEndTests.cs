using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;
using Xunit.Abstractions;

namespace Reasoner.Experiments.Tests.Training;

public sealed class SftEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public void Sft_on_countdown_3_solves_held_out_problems_well_above_a_random_model()
    {
        var task = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 3, MaxNumber: int.Parse(Environment.GetEnvironmentVariable("SFT_MAXN") ?? "13"), MaxTarget: int.Parse(Environment.GetEnvironmentVariable("SFT_MAXT") ?? "100")));
        var tokenizer = TaskTokenizer.For(task);
        var training = task.Generate(Split.Train, int.Parse(Environment.GetEnvironmentVariable("SFT_N") ?? "500"), seed: 1);
        var test = task.Generate(Split.Test, 50, seed: 2);
        var demonstrations = Demonstrations.Create(task, training, new HeldOutProblems(task, test));
        int context = Demonstrations.ContextFor(task, training.Concat(test));
        var config = new GptConfig(Layers: 2, Heads: 4, ModelDim: 64, Vocab: tokenizer.VocabSize, Context: context);
        using var pool = new WorkerPool(2);
        var model = Gpt.CreateRandom(config, seed: 0);
        var before = GreedyAccuracy.Measure(model, tokenizer, pool, task, test);

        int steps = int.Parse(Environment.GetEnvironmentVariable("SFT_STEPS") ?? "400");
        float lr = float.Parse(Environment.GetEnvironmentVariable("SFT_LR") ?? "3e-3");
        var trainer = new ExampleTrainer(model, tokenizer, pool, new ExampleTrainerConfig(BatchSize: int.Parse(Environment.GetEnvironmentVariable("SFT_B") ?? "32"), LearningRate: lr, MinLearningRate: lr / 10, WarmupSteps: 20, DecaySteps: steps));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var curve = trainer.Train(demonstrations, steps, new Random(0));
        var trainTime = watch.Elapsed;
        var after = GreedyAccuracy.Measure(model, tokenizer, pool, task, test);
        output.WriteLine($"context {context}, loss {curve.Steps[0].Losses.TokenLoss:F3} -> {curve.Steps[^1].Losses.TokenLoss:F3} in {trainTime.TotalSeconds:F1}s; greedy accuracy {before.Correct}/{before.Total} -> {after.Correct}/{after.Total}");
        for (int i = 0; i < 4; i++) output.WriteLine($"{task.Prompt(test[i]).Trim()} => {after.Completions[i].Replace("\n", " | ")}");
        Assert.Equal(0, before.Correct);
        Assert.True(after.Accuracy >= 0.3, $"greedy accuracy after SFT: {after.Correct}/{after.Total}");
    }
}
