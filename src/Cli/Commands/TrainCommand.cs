using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner train sft|value</c>: imitation of the task's expert from scratch, and the value model from Monte-Carlo
/// targets of a trained policy. Each writes a checkpoint, its loss curve beside it (<c>.loss.csv</c>, <c>.loss.svg</c>)
/// and one JSON line of results on stdout; a progress bar goes to stderr (on a terminal).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a policy by imitation (sft) or a value model from policy rollouts (value).");
        command.Subcommands.Add(SftCommand());
        command.Subcommands.Add(ValueCommand());
        return command;
    }

    /// <summary>Options both subcommands take: the task, its problems, the optimisation and the output.</summary>
    private sealed class CommonOptions(bool fromCheckpoint)
    {
        public Option<string?> Task { get; } = new("--task")
        {
            Description = $"Task: {string.Join(", ", TaskCatalog.Names)}{(fromCheckpoint ? " (default: the one the policy was trained on, with its difficulty)" : "")}.",
            Required = !fromCheckpoint,
        };
        public TaskDifficultyOptions Difficulty { get; } = new();
        public Option<string> Out { get; } = new("--out") { Description = "Checkpoint to write (.safetensors); the loss curve goes beside it.", Required = true };
        public Option<int> Problems { get; } = new("--problems") { Description = "Training problems (from the Train split).", DefaultValueFactory = _ => 1000 };
        public Option<int> Steps { get; } = new("--steps") { Description = "Optimisation steps.", DefaultValueFactory = _ => 500 };
        public Option<int> Batch { get; } = new("--batch") { Description = "Examples a step.", DefaultValueFactory = _ => 32 };
        public Option<float> LearningRate { get; } = new("--lr") { Description = "Peak learning rate (cosine decay to --min-lr over the run).", DefaultValueFactory = _ => 3e-3f };
        public Option<float?> MinLearningRate { get; } = new("--min-lr") { Description = "Final learning rate (default --lr / 10)." };
        public Option<int> Warmup { get; } = new("--warmup") { Description = "Linear warm-up steps.", DefaultValueFactory = _ => 20 };
        public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "AdamW weight decay of matrices and embeddings.", DefaultValueFactory = _ => 0.1f };
        public Option<float> Clip { get; } = new("--clip") { Description = "Global gradient-norm clip.", DefaultValueFactory = _ => 1f };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of problems, initialisation, shuffling and sampling.", DefaultValueFactory = _ => 0 };
        public Option<int> Threads { get; } = new("--threads") { Description = "Worker threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        public Option<int> TestProblems { get; } = new("--test-problems") { Description = "Held-out Test-split problems (refused in training; the first --eval are evaluated).", DefaultValueFactory = _ => 200 };
        public Option<int> TestSeed { get; } = new("--test-seed") { Description = "Seed of the held-out problems.", DefaultValueFactory = _ => 0 };
        public Option<int> Eval { get; } = new("--eval") { Description = "Held-out problems evaluated after training (0: none).", DefaultValueFactory = _ => 100 };
        public Option<int> MaxNonFinite { get; } = new("--max-non-finite-steps")
        {
            Description = "A step with a non-finite loss or gradient norm is skipped and halves the learning rate; this many in a row stop training.",
            DefaultValueFactory = _ => ExampleTrainerConfig.DefaultMaxNonFiniteSteps,
        };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Task, Out, Problems, Steps, Batch, LearningRate, MinLearningRate, Warmup, WeightDecay, Clip, Seed, Threads, TestProblems, TestSeed, Eval, MaxNonFinite })
                command.Options.Add(option);
            Difficulty.AddTo(command);
        }

        public TaskSpec Spec(ParseResult parse) => new(parse.GetValue(Task)!, Difficulty.Read(parse));

        public (IReadOnlyList<Problem> Training, IReadOnlyList<Problem> Test) Generate(ParseResult parse, ITask task)
        {
            int seed = parse.GetValue(Seed);
            return (Draw(task, Split.Train, parse.GetValue(Problems), seed, "--problems"), Draw(task, Split.Test, parse.GetValue(TestProblems), parse.GetValue(TestSeed), "--test-problems"));
        }

        public ExampleTrainerConfig TrainerConfig(ParseResult parse, float policyWeight, float valueWeight, float positiveValueWeight = 1f)
        {
            float lr = parse.GetValue(LearningRate);
            try
            {
                return new ExampleTrainerConfig(parse.GetValue(Batch), lr, parse.GetValue(MinLearningRate) ?? lr / 10, parse.GetValue(Warmup), DecaySteps: parse.GetValue(Steps),
                    parse.GetValue(WeightDecay), parse.GetValue(Clip), policyWeight, valueWeight, PositiveValueWeight: positiveValueWeight,
                    MaxNonFiniteSteps: parse.GetValue(MaxNonFinite)).Validated();
            }
            catch (ArgumentException error)
            {
                throw new UserInputException(error.Message, error);
            }
        }

        public string OutPath(ParseResult parse)
        {
            var path = Path.GetFullPath(parse.GetValue(Out)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return path;
        }
    }

    /// <summary>The size of a model trained from scratch; the context defaults to what the task's expert solutions need.</summary>
    private sealed class ModelOptions
    {
        public Option<int?> Layers { get; } = new("--layers") { Description = "Transformer blocks (default 2; value --separate: the policy's)." };
        public Option<int?> ModelDim { get; } = new("--d-model") { Description = "Channels (default 64; value --separate: the policy's)." };
        public Option<int?> Heads { get; } = new("--heads") { Description = "Attention heads (default 4; value --separate: the policy's)." };
        public Option<int?> Context { get; } = new("--context") { Description = "Positions (default: the longest expert solution of the training and held-out problems, rounded up to 8)." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Layers, ModelDim, Heads, Context })
                command.Options.Add(option);
        }

        public GptConfig Read(ParseResult parse, GptConfig defaults, int vocab)
        {
            try
            {
                return new GptConfig(parse.GetValue(Layers) ?? defaults.Layers, parse.GetValue(Heads) ?? defaults.Heads, parse.GetValue(ModelDim) ?? defaults.ModelDim,
                    vocab, parse.GetValue(Context) ?? defaults.Context).Validated();
            }
            catch (ArgumentException error)
            {
                throw new UserInputException(error.Message, error);
            }
        }
    }

    private static Command SftCommand()
    {
        var command = new Command("sft", "Train a policy from scratch on the expert's solutions of training problems (imitation).");
        var common = new CommonOptions(fromCheckpoint: false);
        var model = new ModelOptions();
        var deadEnds = new Option<int>("--dead-ends")
        {
            Description = "Dead ends shown beside each solution (imitation.dead_ends): a valid step off the solution that cannot " +
                "reach the target, then honest steps to an answer stating what they reached; only what follows the mistake is imitated.",
            DefaultValueFactory = _ => 0,
        };
        common.AddTo(command);
        model.AddTo(command);
        command.Options.Add(deadEnds);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var spec = common.Spec(parse);
            var task = TaskDifficultyOptions.CreateTask(spec);
            var tokenizer = TaskTokenizer.For(task);
            if (parse.GetValue(deadEnds) is var shown and (< 0 or > 16)) throw new UserInputException($"--dead-ends must be 0 to 16, not {shown}");
            var (training, test) = common.Generate(parse, task);
            int needed = Demonstrations.ContextFor(task, training.Concat(test));
            var config = model.Read(parse, new GptConfig(Layers: 2, Heads: 4, ModelDim: 64, Context: needed), tokenizer.VocabSize);
            RequireContext(config.Context, Longest(task, training.Concat(test)), "--context");
            // A dead end may run past the context its problem's solution needs (its numbers grow): those are left out.
            var demonstrations = Refusing(() => Demonstrations.Create(task, training, new HeldOutProblems(task, test), parse.GetValue(deadEnds)))
                .Where(example => example.TokenCount <= config.Context).ToList();
            int seed = parse.GetValue(common.Seed);
            using var pool = new WorkerPool(parse.GetValue(common.Threads));
            var policy = Gpt.CreateRandom(config, seed);
            io.Log.Information("SFT on {Count} {Task} demonstrations: {Layers} layers, d_model {Dim}, {Heads} heads, ctx {Context}, {Parameters:N0} parameters",
                demonstrations.Count, task.Name, config.Layers, config.ModelDim, config.Heads, config.Context, policy.Parameters.Length);
            var trainer = new ExampleTrainer(policy, tokenizer, pool, common.TrainerConfig(parse, policyWeight: 1f, valueWeight: 0f));
            var (curve, seconds) = TrainWithProgress(io, trainer, demonstrations, parse.GetValue(common.Steps), new Random(seed), "sft");
            string output = common.OutPath(parse);
            TaskCheckpoint.Save(output, policy, tokenizer, spec);
            WriteCurve(curve, output, $"train sft: {task.Name}");
            var evaluated = test.Take(parse.GetValue(common.Eval)).ToList();
            var greedy = evaluated.Count > 0 ? GreedyAccuracy.Measure(policy, tokenizer, pool, task, evaluated) : null;
            io.Log.Information("Wrote {Path}; greedy accuracy on {Count} held-out problems: {Accuracy:P1}", output, evaluated.Count, greedy?.Accuracy);
            WriteResult(io, new Dictionary<string, object?>
            {
                ["command"] = "train sft",
                ["task"] = task.Name,
                ["checkpoint"] = output,
                ["parameters"] = policy.Parameters.Length,
                ["context"] = config.Context,
                ["training_problems"] = training.Count,
                ["steps"] = curve.Steps.Count,
                ["final_policy_loss"] = curve.Steps.Count > 0 ? curve.Steps[^1].Losses.TokenLoss : null,
                ["seconds"] = seconds,
                ["tokens_per_second"] = trainer.TokensProcessed / Math.Max(seconds, 1e-9),
                ["eval_problems"] = evaluated.Count,
                ["greedy_correct"] = greedy?.Correct,
                ["greedy_accuracy"] = greedy?.Accuracy,
            });
            return 0;
        });
        return command;
    }

    private static Command ValueCommand()
    {
        var command = new Command("value",
            "Train a value model: targets are the fraction of K policy samples from each partial solution that the task verifies. " +
            "By default the value head of the policy itself (shared trunk, demonstrations rehearsed at --policy-weight); --separate trains a model of its own.");
        var common = new CommonOptions(fromCheckpoint: true);
        var model = new ModelOptions();
        var policyPath = new Option<string>("--policy") { Description = "The policy checkpoint whose rollouts give the targets.", Required = true };
        var samples = new Option<int>("--samples") { Description = "Completions sampled per prefix (K).", DefaultValueFactory = _ => 8 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature of the rollouts.", DefaultValueFactory = _ => 1f };
        var prefixes = new Option<string>("--prefixes") { Description = "Rollout targets: prefixes of the policy's own sampled trajectory, of the expert's solution, or both.", DefaultValueFactory = _ => "both" };
        var targets = new Option<string>("--targets") { Description = "rollouts (Monte-Carlo fractions of the policy's completions), expert (the task's exact oracle labels expert, sampled, proposed and corrupted states), or both.", DefaultValueFactory = _ => "expert" };
        var separate = new Option<bool>("--separate") { Description = "Train a separate value network (--layers/--d-model/--heads, default the policy's) instead of the policy's value head." };
        var init = new Option<string>("--init") { Description = "--separate: start from a copy of the policy (it already reads the task's steps; as reward models start from the SFT model) or from random weights (required for another size).", DefaultValueFactory = _ => "policy" };
        var positiveWeight = new Option<float?>("--positive-weight") { Description = "Weight of a value target of 1 against one of 0 in the value loss (1: plain BCE); default: the ratio that balances the training targets' classes." };
        var positiveShare = new Option<double>("--positive-share") { Description = "Repeat the examples whose targets are all positive until they are at least this share of the training set (0: as collected).", DefaultValueFactory = _ => 0 };
        var policyWeight = new Option<float>("--policy-weight") { Description = "Weight of the demonstrations' policy loss beside the value loss: it keeps a shared trunk proposing, and a separate copy reading steps as the policy writes them (0: value loss only).", DefaultValueFactory = _ => 0.25f };
        var checkerSteps = new Option<int>("--checker-steps")
        {
            Description = "--separate: then this many steps (batch 64) teaching the value network to check steps (imitation.checker_steps): " +
                "the claims of the task's drills on the training problems, no problem or target in view; eval and solve read its value with the checks.",
            DefaultValueFactory = _ => 0,
        };
        var checkStates = new Option<bool>("--check-states")
        {
            Description = "--checker-steps: the checks also teach the value head the problems the drills' steps leave, labelled by the task's solver " +
                "(imitation.check_states); search then values a partial state by what its last step leaves.",
        };
        common.AddTo(command);
        model.AddTo(command);
        foreach (var option in new Option[] { policyPath, samples, temperature, prefixes, targets, separate, init, policyWeight, positiveWeight, positiveShare, checkerSteps, checkStates })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            int checking = parse.GetValue(checkerSteps);
            if (checking < 0 || (checking > 0 && !parse.GetValue(separate)))
                throw new UserInputException($"--checker-steps {checking}: step checks are learnt by a --separate value network, for 0 or more steps");
            bool states = parse.GetValue(checkStates);
            if (states && checking == 0)
                throw new UserInputException("--check-states: the problems steps leave are learnt with the step checks: give --checker-steps");
            var (policy, tokenizer, spec, task) = LoadPolicy(parse.GetValue(policyPath)!, common, parse, io.Log);
            var (training, test) = common.Generate(parse, task);
            var heldOut = new HeldOutProblems(task, test);
            Refusing(() => { heldOut.EnsureNoneOf(training); return 0; });
            var source = parse.GetValue(prefixes) switch
            {
                "policy" => ValuePrefixes.Policy,
                "expert" => ValuePrefixes.Expert,
                "both" => ValuePrefixes.PolicyAndExpert,
                var other => throw new UserInputException($"--prefixes must be policy, expert or both, not \"{other}\""),
            };
            var targetSource = parse.GetValue(targets) switch
            {
                "rollouts" => ValueTargetSource.Rollouts,
                "expert" => ValueTargetSource.Expert,
                "both" => ValueTargetSource.Both,
                var other => throw new UserInputException($"--targets must be rollouts, expert or both, not \"{other}\""),
            };
            int k = parse.GetValue(samples), seed = parse.GetValue(common.Seed);
            if (k < 1) throw new UserInputException($"--samples must be at least 1, got {k}");
            using var pool = new WorkerPool(parse.GetValue(common.Threads));
            // Room for many problems at once: their rollouts generate together (about 0.66 MB a slot for a d128, 4-layer, ctx-160 model).
            var decoder = new GptDecoder(policy, pool, slots: 32 * (k + 1) + 1);
            var random = new Random(seed);
            var clock = Stopwatch.StartNew();
            var reported = Stopwatch.StartNew();
            float sampling = parse.GetValue(temperature);
            Action<int> progress = done =>
            {
                if (done < training.Count && reported.Elapsed.TotalSeconds < 15) return;
                reported.Restart();
                io.Log.Information("Value targets: {Done}/{Total} problems ({Rate:F1}/s)", done, training.Count, done / clock.Elapsed.TotalSeconds);
            };
            IReadOnlyList<TrainingExample> Collect(IReadOnlyList<Problem> problems, Action<int>? report) => targetSource switch
            {
                ValueTargetSource.Rollouts => ValueTargets.Collect(decoder, tokenizer, task, problems, k, sampling, random, source, report),
                ValueTargetSource.Expert => OracleValueTargets.Collect(decoder, tokenizer, task, problems, k, sampling, random, report),
                _ => [.. OracleValueTargets.Collect(decoder, tokenizer, task, problems, k, sampling, random, report),
                      .. ValueTargets.Collect(decoder, tokenizer, task, problems, k, sampling, random, source, report)],
            };
            var valueExamples = ValueBalance.Oversample(Collect(training, progress), parse.GetValue(positiveShare));
            var evaluated = test.Take(parse.GetValue(common.Eval)).ToList();
            var heldOutTargets = Collect(evaluated, null);
            // Ground truth for measuring the ranking, whatever the training source: the oracle's labels on held-out states the
            // policy reaches (its samples and its proposals from the expert's states; no near misses).
            var heldOutStates = OracleValueTargets.Collect(decoder, tokenizer, task, evaluated, k, sampling, random, nearMisses: false);
            var targetValues = valueExamples.SelectMany(TargetsOf).ToList();
            io.Log.Information("{Count} {Source} value targets in {Examples} examples from {Problems} problems x {K} samples in {Seconds:F1}s, mean {Mean:F3}",
                targetValues.Count, targetSource, valueExamples.Count, training.Count, k, clock.Elapsed.TotalSeconds, targetValues.Average());

            float balance = parse.GetValue(positiveWeight) ?? ValueBalance.PositiveWeight(targetValues);
            bool isSeparate = parse.GetValue(separate);
            Gpt valueModel;
            IReadOnlyList<TrainingExample> examples;
            ExampleTrainerConfig config;
            if (isSeparate)
            {
                var size = model.Read(parse, policy.Config, tokenizer.VocabSize);
                if (size.Context < policy.Config.Context)
                    throw new UserInputException($"--context {size.Context} is shorter than the policy's {policy.Config.Context}: the value model must read every state the policy writes");
                valueModel = parse.GetValue(init) switch
                {
                    "random" => Gpt.CreateRandom(size, seed),
                    "policy" when size == policy.Config => policy.Clone(),
                    "policy" => throw new UserInputException($"--init policy copies the policy ({policy.Config}), so its size cannot change to {size}: use --init random"),
                    var other => throw new UserInputException($"--init must be policy or random, not \"{other}\""),
                };
            }
            else
            {
                valueModel = policy;
            }
            // The demonstrations' policy loss keeps the trunk's language (its arithmetic) while the value is learnt: the
            // shared trunk must still propose, and a separate copy reads steps with what the policy learnt to write.
            float weight = parse.GetValue(policyWeight);
            examples = weight > 0 ? [.. valueExamples, .. Demonstrations.Create(task, training, heldOut)] : valueExamples;
            config = common.TrainerConfig(parse, policyWeight: weight, valueWeight: 1f, balance);
            var trainer = new ExampleTrainer(valueModel, tokenizer, pool, config);
            float? before = MeanValueLoss(trainer, heldOutTargets);
            var greedyBefore = !isSeparate && evaluated.Count > 0 ? GreedyAccuracy.Measure(policy, tokenizer, pool, task, evaluated) : null;
            var (curve, seconds) = TrainWithProgress(io, trainer, examples, parse.GetValue(common.Steps), random, "value");
            if (checking > 0)
            {
                var checks = StepChecks.Examples(task, training, states).Where(e => e.TokenCount <= valueModel.Config.Context).ToList();
                if (checks.Count == 0) throw new UserInputException($"--checker-steps: task {task.Name} makes no step claims to check");
                int left = checks.Count(e => e.ValueTarget is not null);
                if (states && left == 0) throw new UserInputException($"--check-states: task {task.Name} does not say what its steps leave");
                var checker = new ExampleTrainer(valueModel, tokenizer, pool, common.TrainerConfig(parse, policyWeight: 1f, valueWeight: states ? 1f : 0f) with { BatchSize = 64, DecaySteps = checking });
                io.Log.Information("Step checks: {Count} distinct claims and {Left} problems left by the training problems' drills, {Steps} steps",
                    checks.Count - left, left, checking);
                // With the problems steps leave, claims and those problems come in equal shares: the many problems left
                // would drown the claims.
                var drills = states ? ExampleMix.Equal([.. checks.Where(e => e.ValueTarget is null)], [.. checks.Where(e => e.ValueTarget is not null)]) : checks;
                seconds += TrainWithProgress(io, checker, drills, checking, random, "checks").Seconds;
            }
            float? after = MeanValueLoss(trainer, heldOutTargets);
            ValueChecks? checkedTask = checking > 0 ? new ValueChecks(task, states) : null; // read as search reads it: with the checks it learned
            var ranking = heldOutStates.Count > 0 ? ValueScores.Ranking(valueModel, tokenizer, pool, heldOutStates, checkedTask, policy) : null;
            // The same ranking on states it trained on: far below 1 there, the model has not even fit its data (too few
            // steps, or a function it cannot learn at this size), which no amount of held-out data would fix.
            var fitted = FitSample(valueExamples);
            var fit = fitted.Count > 0 ? ValueScores.Ranking(valueModel, tokenizer, pool, fitted, checkedTask, policy) : null;
            var greedyAfter = greedyBefore is null ? null : GreedyAccuracy.Measure(policy, tokenizer, pool, task, evaluated);
            // The BCE of always predicting the training targets' mean: what a value model must beat to have learned anything.
            double mean = targetValues.Average();
            var heldOutValues = heldOutTargets.SelectMany(TargetsOf).ToList();
            double? constant = heldOutValues.Count > 0 ? heldOutValues.Average(target => Bce(mean, target)) : null;
            string output = common.OutPath(parse);
            var metadata = TaskCheckpoint.Metadata(spec);
            Checkpoint.Save(output, valueModel, tokenizer, checkedTask is not null ? metadata.Concat(checkedTask.Metadata).ToDictionary() : metadata);
            WriteCurve(curve, output, $"train value: {task.Name}");
            io.Log.Information("Wrote {Path}; held-out value BCE {Before:F4} -> {After:F4} (constant predictor {Constant:F4}); AUC finished {Finished:F3}, partial {Partial:F3} (on training states: {FitFinished:F3}, {FitPartial:F3})",
                output, before, after, constant, ranking?.FinishedAuc, ranking?.PartialAuc, fit?.FinishedAuc, fit?.PartialAuc);
            WriteResult(io, new Dictionary<string, object?>
            {
                ["command"] = "train value",
                ["task"] = task.Name,
                ["checkpoint"] = output,
                ["policy"] = Path.GetFullPath(parse.GetValue(policyPath)!),
                ["separate"] = isSeparate,
                ["parameters"] = valueModel.Parameters.Length,
                ["targets"] = parse.GetValue(targets),
                ["value_targets"] = targetValues.Count,
                ["mean_target"] = mean,
                ["samples_per_prefix"] = k,
                ["positive_weight"] = balance,
                ["steps"] = curve.Steps.Count,
                ["seconds"] = seconds,
                ["held_out_targets"] = heldOutTargets.Count,
                ["held_out_value_bce_before"] = before,
                ["held_out_value_bce_after"] = after,
                ["held_out_value_bce_constant"] = constant,
                ["held_out_value"] = ranking?.ToJson(),
                ["training_value"] = fit?.ToJson(),
                ["greedy_accuracy_before"] = greedyBefore?.Accuracy,
                ["greedy_accuracy_after"] = greedyAfter?.Accuracy,
            });
            return 0;
        });
        return command;
    }

    /// <summary>The policy checkpoint and the task to train its value on: the one it records unless --task or a difficulty
    /// option says otherwise (each difference a warning); its alphabet must be the task's.</summary>
    private static (Gpt Model, Tokenizer Tokenizer, TaskSpec Spec, ITask Task) LoadPolicy(string path, CommonOptions common, ParseResult parse, Serilog.ILogger log)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such policy checkpoint", path);
        var (loaded, recorded) = TaskCheckpoint.Load(path);
        var spec = TaskDifficultyOptions.ForCheckpoint(path, recorded, parse.GetValue(common.Task), common.Difficulty.Read(parse), log);
        var task = TaskDifficultyOptions.CreateTask(spec);
        var expected = TaskTokenizer.For(task);
        var tokenizer = loaded.Tokenizer ?? throw new InvalidDataException($"{path}: the checkpoint carries no tokenizer alphabet");
        if (tokenizer.Alphabet != expected.Alphabet)
            throw new InvalidDataException($"{path}: its alphabet \"{tokenizer.Alphabet}\" is not the {task.Name} task's \"{expected.Alphabet}\"");
        return (loaded.Model, tokenizer, spec, task);
    }

    private static IReadOnlyList<Problem> Draw(ITask task, Split split, int count, int seed, string option)
    {
        try
        {
            return task.Generate(split, count, seed);
        }
        catch (ArgumentException error)
        {
            throw new UserInputException($"{option}: {error.Message}", error);
        }
    }

    private static T Refusing<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ArgumentException error)
        {
            throw new UserInputException(error.Message, error);
        }
    }

    /// <summary>
    /// Up to 4,000 distinct training examples that each end in one state with a 0/1 target (the oracle's per-state
    /// examples; Monte-Carlo fractions and paths are left out), drawn evenly through the list: the fit's sample.
    /// </summary>
    private static List<TrainingExample> FitSample(IReadOnlyList<TrainingExample> examples)
    {
        var states = examples.Distinct().Where(e => (e.ValueTarget ?? e.LineValues?[^1]) is 0f or 1f
            && (e.LineValues is null || e.LineValues.Take(e.LineValues.Length - 1).All(float.IsNaN))).ToList();
        int stride = Math.Max(1, states.Count / 4000);
        return states.Where((_, i) => i % stride == 0).Take(4000).ToList();
    }

    private static (int Tokens, string Id) Longest(ITask task, IEnumerable<Problem> problems) =>
        problems.Select(p => (Demonstrations.Of(task, p).TokenCount, p.Id)).MaxBy(t => t.TokenCount);

    private static void RequireContext(int context, (int Tokens, string Id) longest, string option)
    {
        if (context < longest.Tokens)
            throw new UserInputException($"{option} {context} is too small: the expert solution of {longest.Id} takes {longest.Tokens} tokens (begin, prompt, steps, end)");
    }

    /// <summary>Mean value BCE of examples under the trainer's model, in batches; null without examples.</summary>
    private static float? MeanValueLoss(ExampleTrainer trainer, IReadOnlyList<TrainingExample> examples)
    {
        if (examples.Count == 0) return null;
        double total = 0;
        for (int start = 0; start < examples.Count; start += trainer.Config.BatchSize)
        {
            var batch = examples.Skip(start).Take(trainer.Config.BatchSize).ToList();
            total += trainer.Evaluate(batch).ValueLoss!.Value * batch.Count;
        }
        return (float)(total / examples.Count);
    }

    private static IEnumerable<double> TargetsOf(TrainingExample example) => ValueBalance.TargetsOf(example).Select(t => (double)t);

    private static double Bce(double prediction, double target)
    {
        double p = Math.Clamp(prediction, 1e-6, 1 - 1e-6);
        return -(target * Math.Log(p) + (1 - target) * Math.Log(1 - p));
    }

    /// <summary>Trains with a Spectre progress bar showing the loss and tokens/s on a terminal; elsewhere (a pipe, a CI log) a
    /// log line at every tenth of the steps. A step the NaN/inf guard skipped is logged as a warning (on a terminal once the
    /// bar is done, the bar counting them meanwhile).</summary>
    private static (LossCurve Curve, double Seconds) TrainWithProgress(CommandIO io, ExampleTrainer trainer, IReadOnlyList<TrainingExample> examples, int steps, Random random, string label)
    {
        var clock = Stopwatch.StartNew();
        LossCurve? curve = null;
        var skipped = new List<TrainingStep>();
        try
        {
            if (!io.ErrorIsTerminal)
                return (trainer.Train(examples, steps, random, new LogProgress(io.Log, trainer, clock, label, steps)), clock.Elapsed.TotalSeconds);
            try
            {
                io.ErrorAnsi.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(context =>
                    {
                        var bar = context.AddTask(label, maxValue: Math.Max(steps, 1));
                        curve = trainer.Train(examples, steps, random, new BarProgress(bar, trainer, clock, label, skipped));
                    });
            }
            finally
            {
                foreach (var step in skipped) LogSkipped(io.Log, label, step);
            }
        }
        catch (ArgumentException error)
        {
            throw new UserInputException(error.Message, error);
        }
        return (curve!, clock.Elapsed.TotalSeconds);
    }

    private static void LogSkipped(Serilog.ILogger log, string label, TrainingStep step) =>
        log.Warning("{Label} step {Step}: loss {Loss}, gradient norm {Norm}: not finite, step skipped (weights and optimiser state kept), learning rate halved to {Rate}",
            label, step.Step, Number(step.Losses.Total), Number(step.GradNorm), Number(step.LearningRate));

    // Plain text: Serilog would quote NaN and Infinity as JSON strings.
    private static string Number(float value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class LogProgress(Serilog.ILogger log, ExampleTrainer trainer, Stopwatch clock, string label, int steps) : IProgress<TrainingStep>
    {
        private readonly int _every = Math.Max(1, steps / 10);
        private int _done;

        public void Report(TrainingStep step)
        {
            ++_done;
            if (step.Skipped) LogSkipped(log, label, step);
            else if (_done % _every == 0 || _done == steps)
                log.Information("{Label} step {Done}/{Steps}: loss {Loss:F3}{Value}, {Rate:N0} tok/s", label, _done, steps, step.Losses.TokenLoss,
                    step.Losses.ValueLoss is { } v ? $", value {v:F3}" : "", trainer.TokensProcessed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
        }
    }

    private sealed class BarProgress(ProgressTask bar, ExampleTrainer trainer, Stopwatch clock, string label, List<TrainingStep> skipped) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep step)
        {
            if (step.Skipped) skipped.Add(step);
            var losses = step.Losses;
            string value = losses.ValueLoss is { } v ? $" value {v:F3}" : "";
            string skips = skipped.Count > 0 ? $" ({skipped.Count} skipped: not finite)" : "";
            bar.Description = $"{label} loss {losses.TokenLoss:F3}{value} {trainer.TokensProcessed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):N0} tok/s{skips}";
            bar.Increment(1);
        }
    }

    private static void WriteCurve(LossCurve curve, string checkpoint, string title)
    {
        curve.WriteCsv(checkpoint + ".loss.csv");
        curve.WriteSvg(checkpoint + ".loss.svg", title);
    }

    private static void WriteResult(CommandIO io, Dictionary<string, object?> result) => io.Out.WriteLine(JsonSerializer.Serialize(result));
}
