using System.CommandLine;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Cli.Commands;

/// <summary>
/// `reasoner bench`: the work of shared/bench/torch_ref.py's train and decode modes, with its options, defaults and
/// output keys, so the C# engine and PyTorch compare side by side (run both in one session: the machine is shared).
/// </summary>
internal static class BenchCommand
{
    internal sealed record Options(string Mode, int Layers, int DModel, int Heads, int Vocab, int Ctx, int Batch, int PromptLen, int Gen,
        int Threads, int Steps, int Warmup, int Seed)
    {
        public GptConfig Model => new(Layers, Heads, DModel, Vocab, Ctx);
    }

    public static Command Create()
    {
        var mode = new Option<string>("--mode") { Description = "train: one optimisation step; decode: batched greedy generation; search: every search method on Countdown, KV-cache reuse vs re-encoding (--steps problems, --gen tokens per problem)", Required = true };
        mode.AcceptOnlyFromAmong("train", "decode", "search");
        Option<int> Int(string name, int value, string description) => new(name) { Description = description, DefaultValueFactory = _ => value };
        var layers = Int("--layers", 4, "transformer blocks");
        var dModel = Int("--d-model", 128, "channels");
        var heads = Int("--heads", 4, "attention heads");
        var vocab = Int("--vocab", 64, "vocabulary size");
        var ctx = Int("--ctx", 64, "context length (train: tokens per row)");
        var batch = Int("--batch", 32, "rows per step (train) or sequences decoded together (decode)");
        var promptLen = Int("--prompt-len", 16, "decode: random prompt tokens per sequence");
        var gen = Int("--gen", 48, "decode: tokens generated per sequence");
        var threads = Int("--threads", Environment.ProcessorCount, "worker threads");
        var steps = new Option<int?>("--steps") { Description = "timed steps (train, default 10) or runs (decode, default 5)" };
        var warmup = new Option<int?>("--warmup") { Description = "untimed steps (train, default 3) or runs (decode, default 1)" };
        var seed = Int("--seed", 1234, "seed of the model init and the random tokens");
        var command = new Command("bench", "Times training steps or batched decoding of a random GPT, as torch_ref.py does; one JSON line.");
        foreach (var option in new Option[] { mode, layers, dModel, heads, vocab, ctx, batch, promptLen, gen, threads, steps, warmup, seed })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            string m = parse.GetValue(mode)!;
            var options = new Options(m, parse.GetValue(layers), parse.GetValue(dModel), parse.GetValue(heads), parse.GetValue(vocab),
                parse.GetValue(ctx), parse.GetValue(batch), parse.GetValue(promptLen), parse.GetValue(gen), parse.GetValue(threads),
                parse.GetValue(steps) ?? (m == "decode" ? 5 : 10), parse.GetValue(warmup) ?? (m == "decode" ? 1 : 3), parse.GetValue(seed));
            if (m == "search")
            {
                Validate(options);
                foreach (var line in Search(options)) parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(line));
                return 0;
            }
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(Run(options)));
            return 0;
        });
        return command;
    }

    /// <summary>The fields of the command's JSON line.</summary>
    internal static Dictionary<string, object> Run(Options options)
    {
        Validate(options);
        return options.Mode == "train" ? Train(options) : Decode(options);
    }

    private static void Validate(Options o)
    {
        if (o.Layers < 1 || o.DModel < 1 || o.Heads < 1 || o.Vocab < 1 || o.Ctx < 1 || o.Batch < 1 || o.Threads < 1 || o.Steps < 1 || o.Warmup < 0)
            throw new UserInputException("--layers, --d-model, --heads, --vocab, --ctx, --batch, --threads and --steps must be positive, --warmup not negative");
        if (o.DModel % o.Heads != 0) throw new UserInputException($"--d-model {o.DModel} is not divisible by --heads {o.Heads}");
        if (o.Mode == "decode" && (o.PromptLen < 1 || o.Gen < 1 || o.PromptLen + o.Gen - 1 > o.Ctx))
            throw new UserInputException($"--prompt-len {o.PromptLen} + --gen {o.Gen} - 1 must be within --ctx {o.Ctx}, both positive");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static Dictionary<string, object> Header(Options o, Gpt model, WorkerPool pool)
    {
        var config = new Dictionary<string, int> { ["layers"] = o.Layers, ["d_model"] = o.DModel, ["heads"] = o.Heads, ["vocab"] = o.Vocab, ["ctx"] = o.Ctx, ["batch"] = o.Batch };
        if (o.Mode == "decode") { config["prompt_len"] = o.PromptLen; config["gen"] = o.Gen; }
        // n_params as torch counts them: the value head is Reasoner's addition, not part of the reference model.
        int valueHead = model.Layout.ValueWeight.Length + model.Layout.ValueBias.Length;
        return new Dictionary<string, object> { ["mode"] = o.Mode, ["engine"] = "reasoner", ["config"] = config, ["threads"] = pool.Threads,
            ["n_params"] = model.Parameters.Length - valueHead };
    }

    /// <summary>
    /// Each search method with a random GPT (vocab: Countdown's alphabet) on --steps Countdown problems, --gen generated
    /// tokens per problem: one JSON line per method with nodes/s, generated tokens/s, and forward tokens and wall time
    /// reusing the KV cache against re-encoding every prefix.
    /// </summary>
    private static IEnumerable<Dictionary<string, object>> Search(Options o)
    {
        var task = TaskCatalog.Create("countdown");
        var tokenizer = TaskTokenizer.For(task);
        o = o with { Vocab = tokenizer.VocabSize };
        var model = Gpt.CreateRandom(o.Model, o.Seed);
        using var pool = new WorkerPool(o.Threads);
        var budget = new SearchBudget(MaxGeneratedTokens: o.Gen, MaxStepTokens: 32);
        var problems = task.Generate(Split.Test, o.Steps, o.Seed);
        SearchBenchmark.Run(model, tokenizer, pool, task, problems.Take(1).ToList(), SearchFactory.Methods, budget, o.Seed); // warm-up
        foreach (var speed in SearchBenchmark.Run(model, tokenizer, pool, task, problems, SearchFactory.Methods, budget, o.Seed))
        {
            var json = Header(o, model, pool);
            json["method"] = speed.Method;
            json["problems"] = speed.Problems;
            json["nodes"] = speed.Nodes;
            json["generated_tokens"] = speed.GeneratedTokens;
            json["nodes_per_s"] = Math.Round(speed.NodesPerSecond, 1);
            json["generated_tokens_per_s"] = Math.Round(speed.GeneratedTokensPerSecond, 1);
            json["reuse_forward_tokens"] = speed.ReuseForwardTokens;
            json["reuse_seconds"] = Math.Round(speed.ReuseSeconds, 4);
            json["reencode_forward_tokens"] = speed.ReEncodeForwardTokens;
            json["reencode_seconds"] = Math.Round(speed.ReEncodeSeconds, 4);
            json["forward_token_ratio"] = Math.Round(speed.ForwardTokenRatio, 2);
            json["wall_time_ratio"] = Math.Round(speed.WallTimeRatio, 2);
            yield return json;
        }
    }

    /// <summary>torch_ref.py's run_train: random tokens, forward, mean CE, backward, clip 1.0, AdamW(1e-3, wd 0.1 on all parameters).</summary>
    private static Dictionary<string, object> Train(Options o)
    {
        var model = Gpt.CreateRandom(o.Model, o.Seed);
        using var pool = new WorkerPool(o.Threads);
        var trainer = new GptTrainer(model, pool, o.Batch, o.Ctx,
            new TrainerConfig(MaxLearningRate: 1e-3f, WeightDecay: 0.1f, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, MaxGradNorm: 1f, DecayAllParameters: true));
        var batch = trainer.CreateBatch();
        var random = new Random(o.Seed + 1);
        var (times, losses) = (new List<double>(), new List<double>());
        for (int step = 0; step < o.Warmup + o.Steps; step++)
        {
            batch.Resize(o.Batch, o.Ctx);
            for (int b = 0; b < o.Batch; b++)
            {
                int previous = random.Next(o.Vocab);
                for (int t = 0; t < o.Ctx; t++)
                {
                    int next = random.Next(o.Vocab);
                    batch.Tokens[b * o.Ctx + t] = previous;
                    batch.Targets[b * o.Ctx + t] = next;
                    previous = next;
                }
            }
            batch.LossWeights.Fill(1f);
            var clock = Stopwatch.StartNew();
            var result = trainer.Step(batch);
            times.Add(clock.Elapsed.TotalSeconds);
            losses.Add(result.Losses.TokenLoss);
        }
        var timed = times.Skip(o.Warmup).ToArray();
        double median = Median(timed), tokens = (double)o.Batch * o.Ctx;
        // Model FLOPs: 6 per parameter per token (forward 2, backward 4) plus causal attention, 2*T*C per token per layer
        // forward (q k^T and att v over T/2 keys on average), times 3 with the backward.
        int valueHead = model.Layout.ValueWeight.Length + model.Layout.ValueBias.Length;
        double flops = 6.0 * (model.Parameters.Length - valueHead) * tokens + 6.0 * o.Layers * tokens * o.Ctx * o.DModel;
        var json = Header(o, model, pool);
        json["steps"] = o.Steps;
        json["warmup"] = o.Warmup;
        json["tokens_per_s"] = tokens / median;
        json["ms_per_step"] = 1e3 * median;
        json["ms_steps"] = timed.Select(t => Math.Round(1e3 * t, 3)).ToArray();
        json["gflops"] = flops / median / 1e9;
        json["loss_first"] = losses[0];
        json["loss_last"] = losses[^1];
        return json;
    }

    /// <summary>torch_ref.py's run_decode: prefill a random prompt, then gen-1 greedy single-token steps for the whole batch.</summary>
    private static Dictionary<string, object> Decode(Options o)
    {
        var model = Gpt.CreateRandom(o.Model, o.Seed);
        using var pool = new WorkerPool(o.Threads);
        // One spare slot for timing a fork; rows for a one-pass prefill of the whole batch, as torch does.
        var decoder = new GptDecoder(model, pool, o.Batch + 1, maxRows: o.Batch * o.PromptLen);
        var random = new Random(o.Seed + 2);
        var prompt = Enumerable.Range(0, o.Batch * o.PromptLen).Select(_ => random.Next(o.Vocab)).ToArray();
        var counts = Enumerable.Repeat(o.PromptLen, o.Batch).ToArray();
        var slots = new int[o.Batch];
        var next = new int[o.Batch];
        var output = new int[o.Batch * o.Gen];
        var runs = new List<(double Total, double Prefill, double Steps)>();
        double forkMs = 0;
        for (int run = 0; run < o.Warmup + o.Steps; run++)
        {
            for (int b = 0; b < o.Batch; b++) slots[b] = decoder.Allocate();
            var clock = Stopwatch.StartNew();
            decoder.Extend(slots, prompt, counts);
            Greedy(decoder, slots, next, output, 0, o.Gen);
            double prefill = clock.Elapsed.TotalSeconds;
            for (int i = 1; i < o.Gen; i++)
            {
                decoder.Append(slots, next);
                Greedy(decoder, slots, next, output, i, o.Gen);
            }
            double total = clock.Elapsed.TotalSeconds;
            runs.Add((total, prefill, total - prefill));
            if (run == o.Warmup + o.Steps - 1) forkMs = TimeFork(decoder, slots);
            foreach (int slot in slots) decoder.Free(slot);
        }
        var timed = runs.Skip(o.Warmup).ToArray();
        double median = Median(timed.Select(r => r.Total));
        var json = Header(o, model, pool);
        json["runs"] = o.Steps;
        json["warmup"] = o.Warmup;
        json["tokens_per_s"] = o.Batch * o.Gen / median;
        json["ms_per_run"] = 1e3 * median;
        json["ms_per_step"] = 1e3 * Median(timed.Select(r => r.Steps)) / Math.Max(1, o.Gen - 1);
        json["ms_prefill"] = 1e3 * Median(timed.Select(r => r.Prefill));
        json["ms_runs"] = timed.Select(r => Math.Round(1e3 * r.Total, 3)).ToArray();
        // Decode FLOPs: 2 per parameter per token plus attention over the cache (2 products, 2*pos*C each per layer).
        int valueHead = model.Layout.ValueWeight.Length + model.Layout.ValueBias.Length;
        double meanPosition = (o.PromptLen + o.Gen) / 2.0;
        double flops = o.Batch * (o.PromptLen + o.Gen - 1) * (2.0 * (model.Parameters.Length - valueHead) + 4.0 * o.Layers * meanPosition * o.DModel);
        json["gflops"] = flops / median / 1e9;
        json["ms_fork_copy"] = forkMs;
        json["cache_check_match"] = CacheCheck(model, pool, o, prompt, output);
        json["first_row_tokens"] = output.Take(Math.Min(16, o.Gen)).ToArray();
        return json;
    }

    /// <summary>
    /// Milliseconds to fork one finished sequence of prompt_len + gen - 1 cached tokens (the median over the batch's
    /// slots, each forked into a fresh slot and freed): the copy that tree search pays instead of a prefill.
    /// </summary>
    private static double TimeFork(GptDecoder decoder, int[] slots)
    {
        var times = new List<double>();
        foreach (int slot in slots)
        {
            var clock = Stopwatch.StartNew();
            int child = decoder.Fork(slot); // into the one spare slot
            times.Add(clock.Elapsed.TotalMilliseconds);
            decoder.Free(child);
        }
        return Median(times);
    }

    private static void Greedy(GptDecoder decoder, int[] slots, int[] next, int[] output, int index, int gen)
    {
        for (int b = 0; b < slots.Length; b++)
        {
            next[b] = TensorPrimitives.IndexOfMax(decoder.Logits(slots[b]));
            output[b * gen + index] = next[b];
        }
    }

    /// <summary>The reference's check of the cache: an uncached forward of prompt + output must predict the same tokens (fraction that match).</summary>
    private static double CacheCheck(Gpt model, WorkerPool pool, Options o, int[] prompt, int[] output)
    {
        int time = o.PromptLen + o.Gen - 1;
        var sequences = new int[o.Batch * time];
        for (int b = 0; b < o.Batch; b++)
        {
            prompt.AsSpan(b * o.PromptLen, o.PromptLen).CopyTo(sequences.AsSpan(b * time));
            output.AsSpan(b * o.Gen, o.Gen - 1).CopyTo(sequences.AsSpan(b * time + o.PromptLen));
        }
        var acts = new GptActivations(model.Config, o.Batch, time);
        model.Forward(pool, acts, sequences, o.Batch, time);
        int matches = 0;
        for (int b = 0; b < o.Batch; b++)
            for (int i = 0; i < o.Gen; i++)
            {
                int row = b * time + o.PromptLen - 1 + i;
                if (TensorPrimitives.IndexOfMax(acts.Logits.Slice(row * o.Vocab, o.Vocab)) == output[b * o.Gen + i]) matches++;
            }
        return (double)matches / (o.Batch * o.Gen);
    }
}
