using System.Text.Json;
using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy.Tests;

/// <summary>Same weights, same tokens, same numbers as PyTorch (Fixtures/README.md says how the fixture was made).</summary>
public class GptParityTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Loss_and_logits_match_torch_ref(int threads)
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var model = Checkpoint.Load(Path.Combine(directory, "tiny.safetensors")).Model;
        var rows = JsonSerializer.Deserialize<int[][]>(File.ReadAllText(Path.Combine(directory, "tiny.json")))!;
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "loss.json")));
        int batch = rows.Length, time = rows[0].Length - 1, vocab = model.Config.Vocab;
        var inputs = rows.SelectMany(r => r[..^1]).ToArray();
        var targets = rows.SelectMany(r => r[1..]).ToArray();

        using var pool = new WorkerPool(threads);
        var acts = new GptActivations(model.Config, batch, time);
        model.Forward(pool, acts, inputs, batch, time);
        CrossEntropy.Forward(pool, acts.TokenLosses, acts.LogSumExp, acts.Logits, targets, batch * time, vocab);
        double loss = acts.TokenLosses.ToArray().Average(l => (double)l);

        AssertRelative(expected.RootElement.GetProperty("loss").GetDouble(), loss, "loss");
        var logits = acts.Logits;
        var first = expected.RootElement.GetProperty("logits_0_0").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var last = expected.RootElement.GetProperty("logits_last").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < 8; i++)
        {
            AssertRelative(first[i], logits[i], $"logits_0_0[{i}]");
            AssertRelative(last[i], logits[(batch * time - 1) * vocab + i], $"logits_last[{i}]");
        }
    }

    private static void AssertRelative(double expected, double actual, string what)
    {
        Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Abs(expected), $"{what}: torch {expected:G9}, ours {actual:G9}");
    }
}
