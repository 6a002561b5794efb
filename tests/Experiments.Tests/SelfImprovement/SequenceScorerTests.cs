using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.SelfImprovement;

public class SequenceScorerTests
{
    /// <summary>Against the definition: prefill the whole prefix before each target in a fresh slot and read its log-probability.</summary>
    [Fact]
    public void LogProbabilitiesOfEveryTargetMatchFreshPrefillsOfEachPrefix()
    {
        var tokenizer = new Tokenizer("ab+=");
        var model = Gpt.CreateRandom(new GptConfig(Layers: 1, Heads: 2, ModelDim: 16, Vocab: tokenizer.VocabSize, Context: 32), seed: 3);
        using var pool = new WorkerPool(1);
        var decoder = new GptDecoder(model, pool, slots: 8);
        TrainingExample[] examples = [new("ab=", "a+b\nb"), new("ab=", "ba\n", Finished: false), new("ab=", "")];

        var scored = SequenceScorer.LogProbabilities(decoder, tokenizer, "ab=", examples);

        for (int i = 0; i < examples.Length; i++)
        {
            int[] tokens = [Tokenizer.Begin, .. tokenizer.Encode("ab=")];
            int[] targets = examples[i].Finished ? [.. tokenizer.Encode(examples[i].Completion), Tokenizer.End] : tokenizer.Encode(examples[i].Completion);
            Assert.Equal(targets.Length, scored[i].Length);
            for (int t = 0; t < targets.Length; t++)
            {
                var fresh = new GptDecoder(model, pool, slots: 1);
                int slot = fresh.Allocate();
                fresh.Prefill(slot, [.. tokens, .. targets.Take(t)]);
                Assert.Equal(fresh.LogProbability(slot, targets[t]), scored[i][t], 4);
            }
        }
        Assert.Equal(decoder.Cache.Slots, decoder.Cache.FreeSlots); // every slot given back
    }
}
