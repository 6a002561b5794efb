using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Training;

/// <summary>
/// The NaN/inf guard of <see cref="ExampleTrainer.Step"/>. NaN gets in through a poisoned example (a NaN weight, which
/// Train's validation would refuse but Step takes as it is) or a poisoned model weight.
/// </summary>
public sealed class NonFiniteGuardTests : IDisposable
{
    private static readonly Tokenizer Letters = new("abcdef=+ ");
    private readonly WorkerPool _pool = new(1);

    public void Dispose() => _pool.Dispose();

    private ExampleTrainer Trainer(int maxNonFinite = 5, int context = 24) =>
        new(Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 16, Vocab: Letters.VocabSize, Context: context), 3), Letters, _pool,
            new ExampleTrainerConfig(BatchSize: 3, LearningRate: 1e-2f, MinLearningRate: 1e-3f, WarmupSteps: 2, DecaySteps: 20, MaxNonFiniteSteps: maxNonFinite));

    private static IReadOnlyList<TrainingExample> Good(int i) => [new("ab\n", "ba"), new("cd\n", "dc" + (char)('a' + i % 3)), new("e=\n", "f+e", ValueTarget: 0.25f)];

    private readonly IReadOnlyList<TrainingExample> Poisoned = [new("ab\n", "ba"), new("cd\n", "dc", Weight: float.NaN), new("e=\n", "f+e")];

    [Fact]
    public void A_poisoned_step_is_skipped_the_weights_stay_and_the_rate_halves()
    {
        var trainer = Trainer();
        trainer.Step(Good(0));
        trainer.Step(Good(1));
        var weights = trainer.Model.Parameters.ToArray();
        float rate = trainer.LearningRate;

        var skipped = trainer.Step(Poisoned);

        Assert.True(skipped.Skipped);
        Assert.True(float.IsNaN(skipped.Losses.Total));
        Assert.Equal((3, 2), (skipped.Step, trainer.StepsTaken));
        Assert.Equal(weights, trainer.Model.Parameters);
        Assert.Equal(rate / 2, skipped.LearningRate);
        Assert.Equal(rate / 2, trainer.LearningRate);
    }

    [Fact]
    public void After_a_skipped_step_training_goes_on_as_if_it_never_happened_at_half_the_rate()
    {
        // The twin never sees the poison; its rate is halved by hand. Any change the skipped step made to the AdamW moments
        // or the step count would make the next updates differ.
        var (poisoned, twin) = (Trainer(), Trainer());
        poisoned.Step(Good(0));
        twin.Step(Good(0));
        poisoned.Step(Poisoned);
        twin.Optimizer.LearningRateScale = 0.5f;
        for (int i = 1; i < 4; i++) Assert.Equal(twin.Step(Good(i)), poisoned.Step(Good(i)));
        Assert.Equal(twin.Model.Parameters, poisoned.Model.Parameters);
    }

    [Fact]
    public void The_nth_non_finite_step_in_a_row_stops_training_with_a_clear_error()
    {
        var trainer = Trainer(maxNonFinite: 3);
        trainer.Step(Good(0));
        float rate = trainer.LearningRate;
        Assert.True(trainer.Step(Poisoned).Skipped);
        Assert.True(trainer.Step(Poisoned).Skipped);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Step(Poisoned));
        Assert.Equal(3, error.InARow);
        Assert.Equal(rate / 8, error.Last.LearningRate);
        Assert.StartsWith("training stopped: 3 steps in a row had a non-finite loss or gradient norm (the last, step 2: loss NaN", error.Message);
    }

    [Fact]
    public void A_good_step_between_poisoned_ones_starts_the_count_again()
    {
        var trainer = Trainer(maxNonFinite: 2);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(trainer.Step(Poisoned).Skipped);
            Assert.False(trainer.Step(Good(i)).Skipped);
        }
        Assert.Equal(3, trainer.StepsTaken);
        Assert.Throws<TrainingDivergedException>(() => { trainer.Step(Poisoned); trainer.Step(Poisoned); });
    }

    [Fact]
    public void Train_reports_the_skipped_steps_and_keeps_them_out_of_the_curve()
    {
        // A NaN in the position embedding of position 5: every batch with a sequence of more than 5 inputs is poisoned,
        // whichever of its rows is long (padding positions run too).
        var trainer = Trainer(maxNonFinite: 100);
        var wpe = trainer.Model.Layout.Tensors.Single(t => t.Name == "wpe");
        wpe.Of(trainer.Model.Parameters)[5 * trainer.Model.Config.ModelDim] = float.NaN;
        TrainingExample[] examples = [new("ab\n", "b"), new("cd\n", "d"), new("e\n", "f"), new("ab\n", "a"), new("abcdef\n", "fedcba")];
        var reported = new List<TrainingStep>();

        var curve = trainer.Train(examples, 12, new Random(4), new Collect(reported));

        Assert.Equal(12, reported.Count);
        int skipped = reported.Count(s => s.Skipped);
        Assert.InRange(skipped, 1, 11);
        Assert.Equal(reported.Where(s => !s.Skipped), curve.Steps);
        Assert.All(curve.Steps, s => Assert.True(float.IsFinite(s.Losses.Total)));
        Assert.Equal(12 - skipped, trainer.StepsTaken);
        Assert.Equal(MathF.Pow(0.5f, skipped), trainer.Optimizer.LearningRateScale);
    }

    [Fact]
    public void A_skipped_step_is_a_metrics_row_that_says_so_without_its_non_finite_losses()
    {
        var skipped = new TrainingStep(7, new TrainingLosses(float.NaN, float.NaN, float.NaN, float.PositiveInfinity), float.NaN, 5e-4f, Skipped: true);
        var row = MetricsRow.Training(1, Stage.SelfImprovement, 106, skipped);
        Assert.Equal(new MetricsRow(1, Stage.SelfImprovement, Step: 106, LearningRate: 5e-4f, Skipped: true), row);

        using var folder = new TempFolder();
        using (var writer = new MetricsWriter(Path.Combine(folder.Path, "m.jsonl"), Path.Combine(folder.Path, "m.csv")))
            writer.Append(row);
        Assert.Equal(row, Assert.Single(MetricsReader.Read(Path.Combine(folder.Path, "m.jsonl"))));
        Assert.EndsWith(",0.0005000000237487257,true", File.ReadAllLines(Path.Combine(folder.Path, "m.csv"))[1]);
        var good = MetricsRow.Training(1, Stage.SelfImprovement, 107, skipped with { Losses = new TrainingLosses(2f, 1.5f, 1.5f, 0.5f), GradNorm = 1f, Skipped = false });
        Assert.Equal((1.5, 0.5, (bool?)null), (good.PolicyLoss, good.ValueLoss, good.Skipped));
    }

    private sealed class Collect(List<TrainingStep> steps) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep value) => steps.Add(value);
    }
}
