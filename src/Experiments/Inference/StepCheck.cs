using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// How much a value network that learned <see cref="StepChecks"/> believes a state's written results: the sum over the
/// state's step lines (after the prompt's line) of log p(result, then the end token | [Begin] question), each claim
/// (<see cref="ITask.Claim"/>) read with nothing else in view, as it was learned. Claims are remembered (searches meet
/// the same steps often). Uses two slots of <paramref name="decoder"/> while it scores, and frees them.
/// </summary>
public sealed class StepCheck(GptDecoder decoder, Tokenizer tokenizer, ITask task)
{
    readonly Dictionary<string, float> known = new(StringComparer.Ordinal);

    /// <summary>Tokens run through the network for claims not met before.</summary>
    public long ForwardTokens { get; private set; }

    /// <summary>The log-probability of every claim of <paramref name="text"/> (prompt line, then step lines); 0 without claims.</summary>
    public float LogProbability(string text)
    {
        float sum = 0;
        var lines = text.Split('\n');
        for (int i = 1; i < lines.Length; i++)
            if (task.Claim(lines[i].Trim()) is { } claim) sum += LogProbability(claim);
        return sum;
    }

    private float LogProbability(StepClaim claim)
    {
        string key = claim.Question + "\u0000" + claim.Answer;
        if (known.TryGetValue(key, out var logProbability)) return logProbability;
        var example = new TrainingExample(claim.Question, claim.Answer);
        if (example.TokenCount > decoder.Model.Config.Context) logProbability = float.NegativeInfinity; // no claim it learned is this long
        else
        {
            logProbability = SequenceScorer.LogProbabilities(decoder, tokenizer, claim.Question, [example])[0].Sum();
            ForwardTokens += example.TokenCount;
        }
        return known[key] = logProbability;
    }
}
