using Reasoner.Experiments.Config;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// The loop's model side on the GPT policy with its value head: inference through <see cref="PolicyProposer"/> (KV-cache
/// reuse, one batched line generation per call) and <see cref="PolicyValueEstimator"/>; training through
/// <see cref="ExampleTrainer"/> on the examples <see cref="TrainingData"/> builds for the configured algorithm. Calls
/// never overlap (the loop's stages are sequential), so one worker pool serves all of them.
/// </summary>
internal sealed class GptBackend(ExperimentConfig config, ITask task, WorkerPool pool) : IExperimentBackend
{
    // Slots the proposer starts with: the peak of a few concurrent searches' trees; it doubles when full.
    private const int InitialSlots = 256;
    private readonly Tokenizer _tokenizer = TaskTokenizer.For(task);
    private string? _imitationCheckpoint;
    private IReadOnlyList<TrainingExample> _demonstrations = [];

    public InferenceBackend LoadInference(string checkpoint)
    {
        var model = Checkpoint.Load(checkpoint).Model;
        var proposer = new PolicyProposer(model, _tokenizer, pool, InitialSlots);
        return new InferenceBackend(proposer, new PolicyValueEstimator(proposer), ValueReadsStateOnly: true);
    }

    /// <summary>
    /// SFT of a fresh model on the expert's solutions, then the value head learns the outcomes of the imitation
    /// policy's own samples on some of those problems (so search after imitation has a value to go by), the
    /// demonstrations mixed in so the policy keeps what it learned.
    /// </summary>
    public TrainingReport Imitate(IReadOnlyList<Problem> problems, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        var imitation = config.Imitation;
        var shape = new GptConfig(config.Model.Layers, config.Model.Heads, config.Model.DModel, _tokenizer.VocabSize, config.Model.Context).Validated();
        var model = Gpt.CreateRandom(shape, SeedMix.Of(config.Seed, 10));
        _imitationCheckpoint = checkpointOut;
        var demonstrations = Fitting(problems.Select(p => Demonstrations.Of(task, p)).ToList(), model);
        _demonstrations = demonstrations;
        var sft = Train(model, demonstrations, imitation.Steps, imitation.Batch, imitation.Lr, SeedMix.Of(config.Seed, 11), 0, Stage.Imitation, firstStep, log);
        if (imitation.ValueSteps == 0) return Save(model, checkpointOut, sft.Steps, sft);

        var valueProblems = problems.Take(imitation.ValueProblems).ToList();
        var episodes = Sample(model, valueProblems, imitation.ValueSamples, SeedMix.Of(config.Seed, 12));
        var valueExamples = Fitting(TrainingData.Values(task, episodes), model);
        var value = Train(model, [.. valueExamples, .. demonstrations], imitation.ValueSteps, imitation.Batch, imitation.Lr,
            SeedMix.Of(config.Seed, 13), 0, Stage.Imitation, firstStep + sft.Steps, log);
        return Save(model, checkpointOut, sft.Steps + value.Steps, value);
    }

    public void RestoreImitation(IReadOnlyList<Problem> problems, string checkpoint)
    {
        _imitationCheckpoint = checkpoint;
        _demonstrations = problems.Select(p => Demonstrations.Of(task, p)).Where(e => e.TokenCount <= config.Model.Context).ToList();
    }

    public TrainingReport Improve(int iteration, IReadOnlyList<Episode> episodes, string checkpointIn, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        var loop = config.SelfImprovement;
        var model = Checkpoint.Load(checkpointIn).Model;
        IReadOnlyList<TrainingExample> policy = loop.Algorithm switch
        {
            SelfImprovementAlgorithm.ExpertIteration => TrainingData.ExpertIteration(task, episodes),
            SelfImprovementAlgorithm.AlphaZero => TrainingData.AlphaZero(task, episodes),
            SelfImprovementAlgorithm.Grpo => GrpoExamples(model, episodes),
            _ => throw new InvalidOperationException($"unknown algorithm {loop.Algorithm}"),
        };
        // Nothing to move the policy towards (no verified-correct trajectory yet): value-only steps would still drift the
        // shared trunk, so the checkpoint goes on unchanged.
        if (policy.Count == 0) return Save(model, checkpointOut, 0, new TrainingReport(0, null, null));
        // Expert iteration and AlphaZero keep the demonstrations in the data (ReST's growing dataset): the few trajectories
        // an iteration verifies would otherwise pull a small policy off everything else it knew. GRPO is on-policy; its
        // KL term is what holds it near the imitation policy.
        var anchor = loop.Algorithm == SelfImprovementAlgorithm.Grpo ? [] : _demonstrations;
        var examples = Fitting([.. policy, .. anchor, .. TrainingData.Values(task, episodes)], model);
        var report = Train(model, examples, loop.StepsPerIteration, loop.Batch, loop.Lr, SeedMix.Of(config.Seed, 20, iteration), iteration,
            Stage.SelfImprovement, firstStep, log, (float)loop.ValueLossWeight, loop.Algorithm == SelfImprovementAlgorithm.Grpo ? (float)loop.KlBeta : 0f);
        return Save(model, checkpointOut, report.Steps, report);
    }

    /// <summary>GRPO's KL is to the imitation policy (DeepSeekMath's pi_ref, the SFT model), computed by the trainer against
    /// the policy being trained.</summary>
    private IReadOnlyList<TrainingExample> GrpoExamples(Gpt policy, IReadOnlyList<Episode> episodes)
    {
        var reference = Checkpoint.Load(_imitationCheckpoint ?? throw new InvalidOperationException("GRPO's reference is the imitation checkpoint: imitate first")).Model;
        int slots = episodes.Max(e => e.Candidates.Count) + 1;
        var referenceDecoder = new GptDecoder(reference, pool, slots);
        var fitting = episodes.Select(e => e with { Candidates = e.Candidates.Where(c => Fits(task.Prompt(e.Problem), c.Completion, policy)).ToList() }).ToList();
        return TrainingData.Grpo(task, fitting, (prompt, group) => SequenceScorer.LogProbabilities(referenceDecoder, _tokenizer, prompt, group));
    }

    /// <summary>The policy's own samples (temperature 1) on each problem, scored: imitation's first value data.</summary>
    private List<Episode> Sample(Gpt model, IReadOnlyList<Problem> problems, int samples, int seed)
    {
        var proposer = new PolicyProposer(model, _tokenizer, pool, InitialSlots);
        var value = new PolicyValueEstimator(proposer);
        var search = SearchFactory.Create(new SampleConfig(samples));
        var random = new Random(seed);
        return problems.Select(problem =>
        {
            var result = search.Run(task, problem, proposer, value, SearchBudget.Unlimited, random);
            return Episode.Score(task, config.Task.Rewards, problem, result, new Provenance(0, 0, "imitation"));
        }).ToList();
    }

    private TrainingReport Train(Gpt model, IReadOnlyList<TrainingExample> examples, int steps, int batch, double lr, int seed, int iteration,
        Stage stage, long firstStep, Action<MetricsRow> log, float valueLossWeight = 1f, float klBeta = 0f)
    {
        if (examples.Count == 0) return new TrainingReport(0, null, null);
        var trainer = new ExampleTrainer(model, _tokenizer, pool, new ExampleTrainerConfig(BatchSize: batch, LearningRate: (float)lr,
            MinLearningRate: (float)lr / 10, WarmupSteps: Math.Min(20, steps / 10), DecaySteps: steps, ValueLossWeight: valueLossWeight, KlBeta: klBeta,
            MaxNonFiniteSteps: stage == Stage.Imitation ? config.Imitation.MaxNonFiniteSteps : config.SelfImprovement.MaxNonFiniteSteps));
        var curve = trainer.Train(examples, steps, new Random(seed), new Progress(step => log(MetricsRow.Training(iteration, stage, firstStep + step.Step - 1, step))));
        var last = curve.Steps.Count > 0 ? curve.Steps[^1].Losses : default;
        return new TrainingReport(curve.Steps.Count, last.TokenLoss, last.ValueLoss);
    }

    private TrainingReport Save(Gpt model, string path, int steps, TrainingReport last)
    {
        TaskCheckpoint.Save(path, model, _tokenizer, config.Task.Spec);
        return last with { Steps = steps };
    }

    // Search may write up to the context's end; such completions (and their end token) cannot all be trained on.
    private static List<TrainingExample> Fitting(IReadOnlyList<TrainingExample> examples, Gpt model) =>
        examples.Where(e => e.TokenCount <= model.Config.Context).ToList();

    private static bool Fits(string prompt, string completion, Gpt model) => 2 + prompt.Length + completion.Length <= model.Config.Context;

    /// <summary>Reports synchronously, on the training thread, so rows keep their order.</summary>
    private sealed class Progress(Action<TrainingStep> report) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep value) => report(value);
    }
}
