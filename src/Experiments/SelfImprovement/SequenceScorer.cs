using Reasoner.Experiments.Training;
using Reasoner.Policy;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// Log-probabilities a policy gives the targets of training examples that share one prompt: each completion character,
/// then the end token when the example is finished (the targets <see cref="ExampleTrainer"/> weights, in its order).
/// The prompt is prefilled once and forked per completion; the completions then advance one token per batched step.
/// </summary>
public static class SequenceScorer
{
    public static float[][] LogProbabilities(GptDecoder decoder, Tokenizer tokenizer, string prompt, IReadOnlyList<TrainingExample> examples)
    {
        var result = new float[examples.Count][];
        if (examples.Count == 0) return result;
        int root = decoder.Allocate();
        decoder.Prefill(root, [Tokenizer.Begin, .. tokenizer.Encode(prompt)]);
        var slots = new int[examples.Count];
        var targets = new int[examples.Count][];
        for (int i = 0; i < examples.Count; i++)
        {
            slots[i] = decoder.Fork(root);
            targets[i] = examples[i].Finished ? [.. tokenizer.Encode(examples[i].Completion), Tokenizer.End] : tokenizer.Encode(examples[i].Completion);
            result[i] = new float[targets[i].Length];
        }
        decoder.Free(root);
        int longest = targets.Max(t => t.Length);
        var stepSlots = new List<int>(examples.Count);
        var stepTokens = new List<int>(examples.Count);
        for (int t = 0; t < longest; t++)
        {
            stepSlots.Clear();
            stepTokens.Clear();
            for (int i = 0; i < examples.Count; i++)
            {
                if (t >= targets[i].Length) continue;
                result[i][t] = decoder.LogProbability(slots[i], targets[i][t]);
                // The last target needs no forward pass: nothing is read after it.
                if (t + 1 < targets[i].Length)
                {
                    stepSlots.Add(slots[i]);
                    stepTokens.Add(targets[i][t]);
                }
            }
            if (stepSlots.Count > 0) decoder.Append(stepSlots.ToArray(), stepTokens.ToArray());
        }
        foreach (int slot in slots) decoder.Free(slot);
        return result;
    }
}
