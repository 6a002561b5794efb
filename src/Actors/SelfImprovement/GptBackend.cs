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
/// The loop's model side on the GPT policy and its value model: inference through <see cref="PolicyProposer"/> (KV-cache
/// reuse, one batched line generation per call) and the value (<see cref="PolicyValueEstimator"/> for the policy's own
/// head, <see cref="ValueNetworkEstimator"/> for a separate network, whose checkpoint sits beside the policy's:
/// <see cref="ValuePath"/>); training through <see cref="ExampleTrainer"/> on the examples <see cref="TrainingData"/>
/// builds for the configured algorithm. Calls never overlap (the loop's stages are sequential), so one worker pool serves
/// all of them.
/// </summary>
internal sealed class GptBackend(ExperimentConfig config, ITask task, WorkerPool pool) : IExperimentBackend
{
    // Slots the proposer starts with: the peak of a few concurrent searches' trees; it doubles when full.
    private const int InitialSlots = 256;
    // States a separate value network reads in one batched call.
    private const int ValueSlots = 64;
    private readonly Tokenizer _tokenizer = TaskTokenizer.For(task);
    // The task the loop's episodes are problems of (self_improvement.task, or the training task).
    private readonly ITask _selfPlay = config.SelfImprovement.Task?.Create() ?? task;
    private string? _imitationCheckpoint;
    private IReadOnlyList<TrainingExample> _demonstrations = [];
    // The step checks the separate value network learns in imitation and rehearses in every iteration (empty: off).
    private IReadOnlyList<TrainingExample> _checks = [];

    private bool Separate => config.Imitation.ValueNetwork == ValueNetwork.Separate;
    private bool Checks => Separate && config.Imitation.CheckerSteps > 0;
    private ValueChecks? ValueChecks => Checks ? new ValueChecks(task, config.Imitation.CheckStates) : null;

    /// <summary>Where the separate value network of a policy checkpoint is kept: <c>iteration-k.value.safetensors</c>.</summary>
    public static string ValuePath(string policyCheckpoint) => Path.ChangeExtension(policyCheckpoint, ".value.safetensors");

    public InferenceBackend LoadInference(string checkpoint)
    {
        var model = Checkpoint.Load(checkpoint).Model;
        var proposer = new PolicyProposer(model, _tokenizer, pool, InitialSlots);
        // A separate network reads the proposer's tokens of each state, never the problem: states of any problems share a call.
        IValueEstimator value = Separate
            ? new ValueNetworkEstimator(Checkpoint.Load(ValuePath(checkpoint)).Model, proposer, pool, ValueSlots, ValueChecks)
            : new PolicyValueEstimator(proposer);
        return new InferenceBackend(proposer, value, ValueReadsStateOnly: true);
    }

    /// <summary>
    /// SFT of a fresh model on the expert's solutions, then the value learns (so search after imitation has a value to go
    /// by) from the targets <c>imitation.value_targets</c> names, on some of those problems: a separate network starts
    /// from a copy of the SFT policy and learns the value alone; the shared head learns it with the demonstrations mixed
    /// in, so the policy keeps what it learned.
    /// </summary>
    public TrainingReport Imitate(IReadOnlyList<Problem> problems, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        var imitation = config.Imitation;
        var shape = new GptConfig(config.Model.Layers, config.Model.Heads, config.Model.DModel, _tokenizer.VocabSize, config.Model.Context).Validated();
        var model = Gpt.CreateRandom(shape, SeedMix.Of(config.Seed, 10));
        _imitationCheckpoint = checkpointOut;
        var demonstrations = RunPhase.Timed(0, RunPhase.Demonstrations, log, () => Fitting(Demonstrations.With(task, problems, imitation.DeadEnds), model));
        _demonstrations = demonstrations;
        _checks = CheckExamples(problems);
        var sft = RunPhase.Timed(0, RunPhase.Imitation, log,
            () => Train(model, demonstrations, imitation.Steps, imitation.Batch, imitation.Lr, SeedMix.Of(config.Seed, 11), 0, Stage.Imitation, firstStep, log));
        var valueModel = Separate ? model.Clone() : model;
        if (imitation.ValueSteps == 0)
        {
            var checkedOnly = Separate ? LearnChecks(valueModel, firstStep + sft.Steps, log) : new TrainingReport(0, null, null);
            if (Separate) SaveValue(ValuePath(checkpointOut), valueModel);
            return Save(model, checkpointOut, sft.Steps + checkedOnly.Steps, sft);
        }

        var valueProblems = problems.Take(imitation.ValueProblems).ToList();
        var valueExamples = RunPhase.Timed(0, RunPhase.ValueData, log,
            () => ValueBalance.Oversample(Fitting(ValueExamples(model, valueProblems, imitation), model), imitation.ValuePositiveShare));
        var lr = imitation.ValueLr ?? imitation.Lr;
        var valueSeed = SeedMix.Of(config.Seed, 13);
        long valueStep = firstStep + sft.Steps;
        if (Separate)
        {
            var trained = RunPhase.Timed(0, RunPhase.ValueTraining, log,
                () => Train(valueModel, valueExamples, imitation.ValueSteps, imitation.Batch, lr, valueSeed, 0, Stage.Imitation, valueStep, log, policyLossWeight: 0f));
            var checkedSteps = LearnChecks(valueModel, valueStep + trained.Steps, log);
            SaveValue(ValuePath(checkpointOut), valueModel);
            return Save(model, checkpointOut, sft.Steps + trained.Steps + checkedSteps.Steps, trained);
        }
        var value = RunPhase.Timed(0, RunPhase.ValueTraining, log,
            () => Train(model, [.. valueExamples, .. demonstrations], imitation.ValueSteps, imitation.Batch, lr, valueSeed, 0, Stage.Imitation, valueStep, log));
        return Save(model, checkpointOut, sft.Steps + value.Steps, value);
    }

    /// <summary>The step checks of the demonstration problems (or of imitation.check_problems training problems of
    /// imitation.check_task) that fit the context, when the config asks the value network to learn them (in imitation, and
    /// rebuilt the same on resume).</summary>
    private IReadOnlyList<TrainingExample> CheckExamples(IReadOnlyList<Problem> problems)
    {
        if (!Checks) return [];
        var (drilled, drills) = config.Imitation.CheckTask is { } other ? CheckTaskProblems(other) : (task, problems);
        var checks = StepChecks.Examples(drilled, drills, config.Imitation.CheckStates).Where(e => e.TokenCount <= config.Model.Context).ToList();
        if (checks.Count == 0)
            throw new ArgumentException($"imitation.checker_steps = {config.Imitation.CheckerSteps}: task {drilled.Name} makes no step claims to check; set it to 0");
        if (config.Imitation.CheckStates && !checks.Any(e => e.ValueTarget is not null))
            throw new ArgumentException($"imitation.check_states: task {drilled.Name} does not say what its steps leave; set it to false");
        return checks;
    }

    /// <summary>imitation.check_problems training problems of imitation.check_task, and that task.</summary>
    private (ITask Task, IReadOnlyList<Problem> Problems) CheckTaskProblems(TaskConfig other)
    {
        var drilled = other.Create();
        try
        {
            return (drilled, drilled.Generate(Split.Train, config.Imitation.CheckProblems, SeedMix.Of(config.Seed, 16)));
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{config.Name}: {error.Message}; lower imitation.check_problems", error);
        }
    }

    /// <summary>The separate value network learns the step checks (policy loss on the claims) for imitation.checker_steps
    /// steps; with check_states also the problems steps leave (value loss), in equal shares.</summary>
    private TrainingReport LearnChecks(Gpt valueModel, long firstStep, Action<MetricsRow> log) => !Checks
        ? new TrainingReport(0, null, null)
        : RunPhase.Timed(0, RunPhase.ValueTraining, log, () => Train(valueModel, config.Imitation.CheckStates ? WithChecks([]) : _checks,
            config.Imitation.CheckerSteps, CheckBatch, config.Imitation.Lr, SeedMix.Of(config.Seed, 15), 0, Stage.Imitation, firstStep, log,
            valueLossWeight: config.Imitation.CheckStates ? 1f : 0f));

    /// <summary>Value examples with the checks rehearsed beside them. With check_states, the claims, the problems steps leave
    /// and the value examples in equal shares (the many problems left would drown the rest); else all of them as they are.</summary>
    private IReadOnlyList<TrainingExample> WithChecks(IReadOnlyList<TrainingExample> values) => config.Imitation.CheckStates
        ? ExampleMix.Equal(values, [.. _checks.Where(e => e.ValueTarget is null)], [.. _checks.Where(e => e.ValueTarget is not null)])
        : [.. values, .. _checks];

    // Step checks are short (a question and its result): many a step.
    private const int CheckBatch = 64;

    /// <summary>A value network's checkpoint, marked when it checks steps (eval and solve then read it with the checks).</summary>
    private void SaveValue(string path, Gpt valueModel) => Checkpoint.Save(path, valueModel, _tokenizer, ValueChecks?.Metadata);

    /// <summary>The imitation stage's value examples from the source the config names.</summary>
    private IReadOnlyList<TrainingExample> ValueExamples(Gpt model, IReadOnlyList<Problem> problems, ImitationConfig imitation)
    {
        IReadOnlyList<TrainingExample> Rollouts() => TrainingData.Values(task, Sample(model, problems, imitation.ValueSamples, SeedMix.Of(config.Seed, 12)));
        IReadOnlyList<TrainingExample> Expert() => OracleValueTargets.Collect(new GptDecoder(model, pool, InitialSlots), _tokenizer, task, problems,
            imitation.ValueSamples, temperature: 1f, new Random(SeedMix.Of(config.Seed, 14)));
        return imitation.ValueTargets switch
        {
            ValueTargetSource.Rollouts => Rollouts(),
            ValueTargetSource.Expert => Expert(),
            _ => [.. Expert(), .. Rollouts()],
        };
    }

    public void RestoreImitation(IReadOnlyList<Problem> problems, string checkpoint)
    {
        _imitationCheckpoint = checkpoint;
        _demonstrations = Demonstrations.With(task, problems, config.Imitation.DeadEnds).Where(e => e.TokenCount <= config.Model.Context).ToList();
        _checks = CheckExamples(problems);
    }

    public TrainingReport Improve(int iteration, IReadOnlyList<Episode> episodes, string checkpointIn, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        var loop = config.SelfImprovement;
        var model = Checkpoint.Load(checkpointIn).Model;
        IReadOnlyList<TrainingExample> policy = RunPhase.Timed(iteration, RunPhase.TrainingData, log, () => loop.Algorithm switch
        {
            SelfImprovementAlgorithm.ExpertIteration => TrainingData.ExpertIteration(_selfPlay, episodes),
            SelfImprovementAlgorithm.AlphaZero => TrainingData.AlphaZero(_selfPlay, episodes),
            SelfImprovementAlgorithm.Grpo => GrpoExamples(model, episodes),
            _ => throw new InvalidOperationException($"unknown algorithm {loop.Algorithm}"),
        });
        // Nothing to move the policy towards (no verified-correct trajectory yet): value-only steps would still drift the
        // shared trunk, so the checkpoints go on unchanged.
        if (policy.Count == 0)
        {
            if (Separate) File.Copy(ValuePath(checkpointIn), ValuePath(checkpointOut), overwrite: true);
            return Save(model, checkpointOut, 0, new TrainingReport(0, null, null));
        }
        // Expert iteration and AlphaZero keep the demonstrations in the data (ReST's growing dataset): the few trajectories
        // an iteration verifies would otherwise pull a small policy off everything else it knew; in demonstration_share
        // when the config sets one. GRPO is on-policy; its KL term is what holds it near the imitation policy.
        if (loop.Algorithm != SelfImprovementAlgorithm.Grpo)
            policy = loop.DemonstrationShare is { } share ? ExampleMix.Shares(_demonstrations, share, Fitting(policy, model)) : [.. policy, .. _demonstrations];
        var klBeta = loop.Algorithm == SelfImprovementAlgorithm.Grpo ? (float)loop.KlBeta : 0f;
        // The value learns the verified outcomes only (never the oracle here), at the answers or also at every prefix
        // (self_improvement.value_states): the shared head beside the policy, a separate network on its own, as many
        // steps again.
        var values = loop.ValueStates == LoopValueStates.None ? [] : TrainingData.Values(_selfPlay, episodes, prefixes: loop.ValueStates == LoopValueStates.Prefixes);
        var seed = SeedMix.Of(config.Seed, 20, iteration);
        if (!Separate)
        {
            var shared = RunPhase.Timed(iteration, RunPhase.Learner, log, () => Train(model, Fitting([.. policy, .. values], model),
                loop.StepsPerIteration, loop.Batch, loop.Lr, seed, iteration, Stage.SelfImprovement, firstStep, log, (float)loop.ValueLossWeight, klBeta));
            return Save(model, checkpointOut, shared.Steps, shared);
        }
        var report = RunPhase.Timed(iteration, RunPhase.Learner, log, () => Train(model, Fitting(policy, model),
            loop.StepsPerIteration, loop.Batch, loop.Lr, seed, iteration, Stage.SelfImprovement, firstStep, log, valueLossWeight: 0f, klBeta: klBeta));
        if (loop.ValueStates == LoopValueStates.None)
        {
            File.Copy(ValuePath(checkpointIn), ValuePath(checkpointOut), overwrite: true);
            return Save(model, checkpointOut, report.Steps, report);
        }
        var valueModel = Checkpoint.Load(ValuePath(checkpointIn)).Model;
        // The step checks are rehearsed beside the outcomes (their policy loss is the only one: outcomes weigh 0 there), so
        // the value's training on outcomes does not wear away what it learnt to compute.
        var value = RunPhase.Timed(iteration, RunPhase.ValueTraining, log, () => Train(valueModel, Fitting(WithChecks(values), valueModel),
            loop.StepsPerIteration, loop.Batch, loop.Lr, SeedMix.Of(config.Seed, 21, iteration), iteration, Stage.SelfImprovement, firstStep + report.Steps, log,
            policyLossWeight: _checks.Count > 0 ? 1f : 0f));
        SaveValue(ValuePath(checkpointOut), valueModel);
        return Save(model, checkpointOut, report.Steps + value.Steps, report with { ValueLoss = value.ValueLoss });
    }

    /// <summary>GRPO's KL is to the imitation policy (DeepSeekMath's pi_ref, the SFT model), computed by the trainer against
    /// the policy being trained.</summary>
    private IReadOnlyList<TrainingExample> GrpoExamples(Gpt policy, IReadOnlyList<Episode> episodes)
    {
        var reference = Checkpoint.Load(_imitationCheckpoint ?? throw new InvalidOperationException("GRPO's reference is the imitation checkpoint: imitate first")).Model;
        int slots = episodes.Max(e => e.Candidates.Count) + 1;
        var referenceDecoder = new GptDecoder(reference, pool, slots);
        var fitting = episodes.Select(e => e with { Candidates = e.Candidates.Where(c => Fits(_selfPlay.Prompt(e.Problem), c.Completion, policy)).ToList() }).ToList();
        return TrainingData.Grpo(_selfPlay, fitting, (prompt, group) => SequenceScorer.LogProbabilities(referenceDecoder, _tokenizer, prompt, group));
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
        Stage stage, long firstStep, Action<MetricsRow> log, float valueLossWeight = 1f, float klBeta = 0f, float policyLossWeight = 1f)
    {
        if (examples.Count == 0) return new TrainingReport(0, null, null);
        var trainer = new ExampleTrainer(model, _tokenizer, pool, new ExampleTrainerConfig(BatchSize: batch, LearningRate: (float)lr,
            MinLearningRate: (float)lr / 10, WarmupSteps: Math.Min(20, steps / 10), DecaySteps: steps, PolicyLossWeight: policyLossWeight,
            ValueLossWeight: valueLossWeight, KlBeta: klBeta,
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
