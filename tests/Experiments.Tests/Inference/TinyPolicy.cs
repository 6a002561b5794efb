using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Tests.Inference;

/// <summary>
/// A random-init tiny GPT over Countdown's alphabet: enough to exercise the machinery, not to solve anything. Each test
/// class instance makes its own (a model is mutable, so it is never shared between tests); the same seed makes them equal.
/// </summary>
internal sealed class TinyPolicy
{
    public ITask Task { get; } = TaskCatalog.Create("countdown");
    public Tokenizer Tokenizer { get; }
    public Gpt Model { get; }
    public Problem Problem { get; }

    public TinyPolicy()
    {
        Tokenizer = TaskTokenizer.For(Task);
        Model = Gpt.CreateRandom(new GptConfig(Layers: 2, Heads: 2, ModelDim: 32, Vocab: Tokenizer.VocabSize, Context: 128), seed: 5);
        Problem = Task.Generate(Split.Test, 1, seed: 3)[0];
    }
}
