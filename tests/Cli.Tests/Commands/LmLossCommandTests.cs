using System.Text.Json;
using Reasoner.Cli.Commands;

namespace Reasoner.Cli.Tests.Commands;

public sealed class LmLossCommandTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private readonly string _directory = Directory.CreateTempSubdirectory("lm-loss-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Prints_the_loss_and_logits_that_torch_ref_prints()
    {
        using var ours = JsonDocument.Parse(LmLossCommand.Run(Path.Combine(Fixtures, "tiny.safetensors"), Path.Combine(Fixtures, "tiny.json"), 1));
        using var torch = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "loss.json")));
        Assert.Equal(torch.RootElement.GetProperty("loss").GetDouble(), ours.RootElement.GetProperty("loss").GetDouble(), 1e-4);
        Assert.Equal(48, ours.RootElement.GetProperty("n_targets").GetInt32());
        var expected = torch.RootElement.GetProperty("logits_last").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = ours.RootElement.GetProperty("logits_last").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Theory]
    [InlineData("[[1,2,3],[4,5]]", "row 1 has 2 tokens")]
    [InlineData("[[1,2,99]]", "token 99 at row 0, column 2")]
    [InlineData("[[1]]", "at least 2 tokens")]
    [InlineData("{\"a\":1}", "not a JSON list")]
    public void A_bad_token_file_is_a_user_error_naming_the_file(string json, string expected)
    {
        string path = Path.Combine(_directory, "t.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<UserInputException>(() => LmLossCommand.Run(Path.Combine(Fixtures, "tiny.safetensors"), path, 1));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
