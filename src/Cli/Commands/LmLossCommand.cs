using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Reasoner.Policy;
using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Cli.Commands;

/// <summary>
/// `reasoner lm-loss`: the computation of `torch_ref.py --mode loss` (inputs = row[:-1], targets = row[1:], mean
/// cross-entropy over every position), printing one JSON line with the same keys, so the two can be compared.
/// </summary>
internal static class LmLossCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "safetensors checkpoint (torch_ref.py layout)", Required = true };
        var tokens = new Option<string>("--tokens") { Description = "JSON file: a list of equal-length lists of token ids", Required = true };
        var threads = new Option<int>("--threads") { Description = "worker threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var command = new Command("lm-loss", "Mean next-token cross-entropy of a checkpoint on a token file, as torch_ref.py --mode loss.");
        command.Options.Add(weights);
        command.Options.Add(tokens);
        command.Options.Add(threads);
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(Run(parse.GetValue(weights)!, parse.GetValue(tokens)!, parse.GetValue(threads)));
            return 0;
        });
        return command;
    }

    /// <summary>The JSON line of the command.</summary>
    internal static string Run(string weightsPath, string tokensPath, int threadCount)
    {
        var model = Checkpoint.Load(weightsPath).Model;
        var rows = ReadRows(tokensPath, model.Config);
        int batch = rows.Length, time = rows[0].Length - 1, vocab = model.Config.Vocab, n = batch * time;
        using var pool = new WorkerPool(threadCount);
        var acts = new GptActivations(model.Config, batch, time);
        var targets = rows.SelectMany(r => r[1..]).ToArray();
        var clock = Stopwatch.StartNew();
        model.Forward(pool, acts, rows.SelectMany(r => r[..^1]).ToArray(), batch, time);
        CrossEntropy.Forward(pool, acts.TokenLosses, acts.LogSumExp, acts.Logits, targets, n, vocab);
        double loss = 0;
        foreach (float l in acts.TokenLosses) loss += l;
        loss /= n;
        double elapsed = clock.Elapsed.TotalMilliseconds;
        double sum = 0;
        foreach (float l in acts.Logits) sum += l;
        var c = model.Config;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["mode"] = "loss",
            ["config"] = new Dictionary<string, int> { ["layers"] = c.Layers, ["d_model"] = c.ModelDim, ["heads"] = c.Heads, ["vocab"] = c.Vocab, ["ctx"] = c.Context },
            ["threads"] = pool.Threads,
            ["weights"] = weightsPath,
            ["tokens"] = tokensPath,
            ["loss"] = loss,
            ["n_targets"] = n,
            ["ms_forward"] = elapsed,
            ["logits_shape"] = new[] { batch, time, vocab },
            ["logits_0_0"] = acts.Logits.Slice(0, Math.Min(8, vocab)).ToArray(),
            ["logits_last"] = acts.Logits.Slice((n - 1) * vocab, Math.Min(8, vocab)).ToArray(),
            ["logits_sum"] = sum,
        });
    }

    /// <summary>Rows of at least 2 tokens, all of one length, ids in the vocabulary, at most ctx + 1 long.</summary>
    private static int[][] ReadRows(string path, GptConfig config)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such token file", path);
        int[][]? rows;
        try
        {
            rows = JsonSerializer.Deserialize<int[][]>(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new UserInputException($"{path}: not a JSON list of lists of token ids ({error.Message})", error);
        }
        if (rows is null || rows.Length == 0 || rows.Any(r => r is null)) throw new UserInputException($"{path}: expected a non-empty list of token rows");
        int length = rows[0].Length;
        if (length < 2) throw new UserInputException($"{path}: rows need at least 2 tokens (input and target)");
        if (length - 1 > config.Context) throw new UserInputException($"{path}: rows of {length} tokens need {length - 1} positions, the model has ctx {config.Context}");
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != length) throw new UserInputException($"{path}: row {r} has {rows[r].Length} tokens, row 0 has {length}");
            int bad = Array.FindIndex(rows[r], t => t < 0 || t >= config.Vocab);
            if (bad >= 0) throw new UserInputException($"{path}: token {rows[r][bad]} at row {r}, column {bad} is outside the vocabulary [0, {config.Vocab})");
        }
        return rows;
    }
}
