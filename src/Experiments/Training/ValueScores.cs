using Reasoner.Experiments.Evaluation;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Training;

/// <summary>A value model's values of value examples, read where search reads them, and how well they rank the examples' targets.</summary>
public static class ValueScores
{
    /// <summary>
    /// sigmoid(value head) after each example's last input ([Begin] prompt completion, then [End] for a finished one),
    /// as <see cref="GptDecoder.Value"/> gives it in search; <paramref name="slots"/> examples run in one batched prefill.
    /// With <paramref name="checks"/> (a network that learned <see cref="StepChecks"/>), each value is read with them, as
    /// search reads it (<see cref="Inference.StepCheck"/>).
    /// </summary>
    /// <param name="policy">With state checks, the policy whose probability of a finished example's answer line the value
    /// takes in (as search takes the proposer's); null: none.</param>
    public static float[] Of(Gpt model, Tokenizer tokenizer, WorkerPool pool, IReadOnlyList<TrainingExample> examples, int slots = 64,
        Inference.ValueChecks? checks = null, Gpt? policy = null)
    {
        var policyDecoder = checks is { States: true } && policy is not null ? new GptDecoder(policy, pool, 2) : null;
        var decoder = new GptDecoder(model, pool, checks is null ? slots : Math.Max(2, slots)); // a claim is scored in two slots
        var check = checks is null ? null : new Inference.StepCheck(decoder, tokenizer, checks);
        var values = new float[examples.Count];
        for (int start = 0; start < examples.Count; start += slots)
        {
            int count = Math.Min(slots, examples.Count - start);
            var batch = new int[count];
            var tokens = new List<int>();
            var lengths = new int[count];
            for (int i = 0; i < count; i++)
            {
                var example = examples[start + i];
                int[] encoded = [Tokenizer.Begin, .. tokenizer.Encode(example.Prompt), .. tokenizer.Encode(example.Completion), .. (example.Finished ? [Tokenizer.End] : Array.Empty<int>())];
                batch[i] = decoder.Allocate();
                lengths[i] = encoded.Length;
                tokens.AddRange(encoded);
            }
            decoder.Extend(batch, tokens.ToArray(), lengths);
            for (int i = 0; i < count; i++)
            {
                values[start + i] = decoder.Value(batch[i]);
                decoder.Free(batch[i]);
            }
        }
        if (check is not null)
            for (int i = 0; i < examples.Count; i++)
                values[i] = check.Value(values[i], examples[i].Prompt + examples[i].Completion, AnswerLogProbability(policyDecoder, tokenizer, examples[i]));
        return values;
    }

    /// <summary>The policy's log-probability of a finished example's answer line (its last line, then the end token) after
    /// the lines before it; 0 for a partial example or without a policy.</summary>
    private static double AnswerLogProbability(GptDecoder? policy, Tokenizer tokenizer, TrainingExample example)
    {
        if (policy is null || !example.Finished) return 0;
        int newline = example.Completion.LastIndexOf('\n');
        var before = example.Prompt + example.Completion[..(newline + 1)];
        var answer = new TrainingExample(before, example.Completion[(newline + 1)..]);
        if (answer.TokenCount > policy.Model.Config.Context) return double.NegativeInfinity;
        return SelfImprovement.SequenceScorer.LogProbabilities(policy, tokenizer, before, [answer])[0].Sum();
    }

    /// <summary>
    /// The ranking of oracle-labelled states (<see cref="OracleValueTargets"/> one example per state, targets 0 or 1) by
    /// the model's values: finished against partial, partial states by depth (their lines).
    /// </summary>
    public static ValueRanking Ranking(Gpt model, Tokenizer tokenizer, WorkerPool pool, IReadOnlyList<TrainingExample> labelled, Inference.ValueChecks? checks = null,
        Gpt? policy = null)
    {
        var values = Of(model, tokenizer, pool, labelled, checks: checks, policy: policy);
        return ValueRanking.Of(labelled.Select((example, i) => new ScoredState(Depth(example), example.Finished, values[i], StateTarget(example) >= 0.5f)));
    }

    /// <summary>The target of the state an example ends in: its value target, else its last line value.</summary>
    public static float StateTarget(TrainingExample example) =>
        example.ValueTarget ?? example.LineValues?[^1] ?? throw new ArgumentException($"example {example.Describe()} has no target at its last state");

    private static int Depth(TrainingExample example) =>
        example.Finished ? example.Completion.Split('\n').Length : example.Completion.Count(c => c == '\n');
}
