using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Training;

/// <summary>The outcome of greedy decoding over problems: how many the task verified as correct, and each completion (in problem order).</summary>
public sealed record GreedyResult(int Correct, int Total, IReadOnlyList<string> Completions)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>
/// A quick System-1 check after training: greedy decoding of each problem to the end token (or the context's end),
/// verified with the outcome reward. Problems decode together in batches of the decoder's slots.
/// </summary>
public static class GreedyAccuracy
{
    public static GreedyResult Measure(Gpt model, Tokenizer tokenizer, WorkerPool pool, ITask task, IReadOnlyList<Problem> problems, int slots = 32)
    {
        var decoder = new GptDecoder(model, pool, slots);
        int correct = 0;
        var completions = new List<string>(problems.Count);
        var rewards = new RewardConfig();
        int[] endOnly = [Tokenizer.End];
        for (int start = 0; start < problems.Count; start += slots)
        {
            int count = Math.Min(slots, problems.Count - start);
            var batch = new int[count];
            int maxNew = 1;
            for (int i = 0; i < count; i++)
            {
                batch[i] = decoder.Allocate();
                decoder.Prefill(batch[i], [Tokenizer.Begin, .. tokenizer.Encode(task.Prompt(problems[start + i]))]);
                maxNew = Math.Max(maxNew, model.Config.Context - decoder.Length(batch[i]));
            }
            decoder.Generate(batch, SamplingConfig.Greedy, new Random(0), maxNew, endOnly);
            for (int i = 0; i < count; i++)
            {
                string completion = tokenizer.Decode(decoder.Generated(batch[i]));
                completions.Add(completion);
                if (task.Verify(problems[start + i], completion, rewards).Correct) correct++;
                decoder.Free(batch[i]);
            }
        }
        return new GreedyResult(correct, problems.Count, completions);
    }
}
