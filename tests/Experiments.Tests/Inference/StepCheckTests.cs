using Reasoner.Experiments.Inference;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Rewards.Countdown;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Inference;

/// <summary>How a value network that learned the checks reads Game-of-24 states (<see cref="StepCheck"/>).</summary>
public sealed class StepCheckTests : IDisposable
{
    readonly WorkerPool pool = new(1);
    static readonly ITask Task = new Game24Task();
    static readonly Tokenizer Tokenizer = TaskTokenizer.For(Task);
    readonly Gpt model = Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 16, Vocab: Tokenizer.VocabSize, Context: 128), seed: 5);

    public void Dispose() => pool.Dispose();

    const string Prompt = "4 5 6 10 -> 24\n";
    const string Steps = "5 * 6 = 30 (left: 4 10 30)\n4 + 30 = 34 (left: 10 34)\n34 - 10 = 24 (left: 24)\n";

    [Fact]
    public void A_finished_state_is_its_value_times_what_its_last_step_leaves_its_claims_and_the_policys_answer_line()
    {
        var check = new StepCheck(new GptDecoder(model, pool, 4), Tokenizer, new ValueChecks(Task, States: true));
        var text = Prompt + Steps + "Answer: 4 + 5 * 6 - 10 = 24";
        float claims = Claims(Steps);
        float left = HeadValue("24 -> 24\n");
        Assert.Equal(0.7f * left * claims, check.Value(0.7f, text), 1e-5f);
        Assert.Equal(0.7f * 0.25f * left * claims, check.Value(0.7f, text, Math.Log(0.25)), 1e-5f);
        // Without state checks neither what is left nor the answer line's probability counts.
        var stepsOnly = new StepCheck(new GptDecoder(model, pool, 4), Tokenizer, new ValueChecks(Task));
        Assert.Equal(0.7f * claims, stepsOnly.Value(0.7f, text, Math.Log(0.25)), 1e-5f);
    }

    [Fact]
    public void A_partial_state_is_worth_the_problem_its_last_step_leaves_times_its_claims_whatever_its_own_value()
    {
        var check = new StepCheck(new GptDecoder(model, pool, 4), Tokenizer, new ValueChecks(Task, States: true));
        var partial = Prompt + "5 * 6 = 30 (left: 4 10 30)\n4 + 30 = 34 (left: 10 34)\n";
        var expected = HeadValue("10 34 -> 24\n") * Claims("5 * 6 = 30 (left: 4 10 30)\n4 + 30 = 34 (left: 10 34)\n");
        Assert.Equal(expected, check.Value(0.9f, partial), 1e-5f);
        Assert.Equal(expected, check.Value(0.1f, partial, Math.Log(0.25)), 1e-5f);
        // The prompt alone, and a line that leaves nothing readable, keep the head's value.
        Assert.Equal(0.4f, check.Value(0.4f, Prompt), 1e-6f);
        Assert.Equal(0.4f, check.Value(0.4f, Prompt + "9 eft: Answeft: 7 3 3\n"), 1e-6f);
    }

    float HeadValue(string prompt)
    {
        var decoder = new GptDecoder(model, pool, 1);
        int slot = decoder.Allocate();
        decoder.Prefill(slot, [Tokenizer.Begin, .. Tokenizer.Encode(prompt)]);
        return decoder.Value(slot);
    }

    float Claims(string steps)
    {
        var decoder = new GptDecoder(model, pool, 2);
        return MathF.Exp(steps.Split('\n').Where(l => l.Length > 0).Select(l => Task.Claim(l)!).Sum(claim =>
            SequenceScorer.LogProbabilities(decoder, Tokenizer, claim.Question, [new TrainingExample(claim.Question, claim.Answer)])[0].Sum()));
    }
}
