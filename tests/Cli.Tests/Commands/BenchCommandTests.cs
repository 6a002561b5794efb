using Reasoner.Cli.Commands;

namespace Reasoner.Cli.Tests.Commands;

public class BenchCommandTests
{
    private static BenchCommand.Options Tiny(string mode) => new(mode, Layers: 1, DModel: 16, Heads: 2, Vocab: 10, Ctx: 12, Batch: 3,
        PromptLen: 4, Gen: 5, Threads: 1, Steps: 2, Warmup: 1, Seed: 1);

    [Fact]
    public void Train_reports_throughput_and_the_losses_of_its_steps()
    {
        var result = BenchCommand.Run(Tiny("train"));
        Assert.True((double)result["tokens_per_s"] > 0);
        Assert.Equal(2, ((double[])result["ms_steps"]).Length);
        Assert.InRange((double)result["loss_first"], 1.5, 3.5); // about log(10) for a fresh model
    }

    [Fact]
    public void Decode_generates_what_an_uncached_forward_predicts()
    {
        var result = BenchCommand.Run(Tiny("decode"));
        Assert.Equal(1.0, (double)result["cache_check_match"]);
        Assert.Equal(5, ((int[])result["first_row_tokens"]).Length);
    }

    [Fact]
    public void A_prompt_and_generation_longer_than_the_context_is_refused()
    {
        var error = Assert.Throws<UserInputException>(() => BenchCommand.Run(Tiny("decode") with { PromptLen = 10 }));
        Assert.Contains("--ctx 12", error.Message);
    }
}
