using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Rewards.Countdown;

namespace Reasoner.Experiments.Tests.Inference;

/// <summary>A random-init tiny GPT over Countdown's alphabet: enough to exercise the machinery, not to solve anything.</summary>
internal static class TinyPolicy
{
    public static ITask Task { get; } = TaskCatalog.Create("countdown");
    public static Tokenizer Tokenizer { get; } = TaskTokenizer.For(Task);
    public static Gpt Model { get; } = Gpt.CreateRandom(new GptConfig(Layers: 2, Heads: 2, ModelDim: 32, Vocab: Tokenizer.VocabSize, Context: 128), seed: 5);
    public static Problem Problem { get; } = Task.Generate(Split.Test, 1, seed: 3)[0];
}
