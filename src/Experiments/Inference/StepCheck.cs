using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Training;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// What a separate value network learned to check besides reading whole states (<see cref="StepChecks"/>): the
/// arithmetic of each step line (always), and with <paramref name="States"/> whether the problem a step leaves can still
/// be solved (<see cref="ITask.Remaining"/>). Recorded in the network's checkpoint (<see cref="Metadata"/>), so eval and
/// solve read it as the run's searches did.
/// </summary>
public sealed record ValueChecks(ITask Task, bool States = false)
{
    /// <summary>Checkpoint metadata of a value network that learned step checks.</summary>
    public const string StepsKey = "step_checks";

    /// <summary>Checkpoint metadata of a value network that also learned the problems steps leave.</summary>
    public const string StatesKey = "state_checks";

    /// <summary>The metadata entries that mark a value network's checkpoint with these checks.</summary>
    public IReadOnlyDictionary<string, string> Metadata => States
        ? new Dictionary<string, string> { [StepsKey] = "true", [StatesKey] = "true" }
        : new Dictionary<string, string> { [StepsKey] = "true" };

    /// <summary>The checks a checkpoint's metadata marks, null when it marks none (a value head alone).</summary>
    public static ValueChecks? Of(IReadOnlyDictionary<string, string> metadata, ITask task) =>
        Marked(metadata, StepsKey) ? new ValueChecks(task, Marked(metadata, StatesKey)) : null;

    private static bool Marked(IReadOnlyDictionary<string, string> metadata, string key) => metadata.TryGetValue(key, out var flag) && flag == "true";
}

/// <summary>
/// Reads a state the way a value network that learned <see cref="StepChecks"/> is read. Its step claims: the sum over the
/// state's step lines (after the prompt's line) of log p(result, then the end token | [Begin] question), each claim
/// (<see cref="ITask.Claim"/>) read with nothing else in view, as it was learned. With <see cref="ValueChecks.States"/>,
/// the problem the last step leaves (<see cref="ITask.Remaining"/>), valued by the head as a prompt alone: a partial state
/// is worth what it leaves, a finished one its own value times what its last step left. Claims and remaining problems are
/// remembered (searches meet the same steps often). Uses two slots of <paramref name="decoder"/> while it scores, and
/// frees them.
/// </summary>
public sealed class StepCheck(GptDecoder decoder, Tokenizer tokenizer, ValueChecks checks)
{
    readonly Dictionary<string, float> known = new(StringComparer.Ordinal);
    readonly Dictionary<string, float> remaining = new(StringComparer.Ordinal);

    /// <summary>Tokens run through the network for claims and remaining problems not met before.</summary>
    public long ForwardTokens { get; private set; }

    /// <summary>
    /// The checked value of a state (<paramref name="text"/>: prompt line, then step lines) whose head value is
    /// <paramref name="value"/>: the value (or, checking states, the value of what it leaves) times the probability of
    /// every claim. <paramref name="answerLogProbability"/>: the policy's log-probability of a finished state's answer line
    /// (<see cref="Judged"/>); 0 when unknown.
    /// </summary>
    public float Value(float value, string text, double answerLogProbability = 0)
    {
        var lines = text.Split('\n');
        float sum = 0;
        for (int i = 1; i < lines.Length; i++)
            if (checks.Task.Claim(lines[i].Trim()) is { } claim) sum += LogProbability(claim);
        if (checks.States) value = Judged(value, lines, answerLogProbability);
        return value * MathF.Exp(sum);
    }

    private static int LastLine(string[] lines)
    {
        int last = lines.Length - 1;
        while (last > 0 && lines[last].Trim().Length == 0) last--;
        return last;
    }

    // A partial state ends with a step line: its value is that of the problem it leaves. A finished one ends with its
    // answer line: its own value, times that of what its last step left (an answer that follows steps which do not reach
    // the target is wrong), times the policy's probability of its answer line: the answer line transcribes the steps into
    // one expression, which the policy learnt from every demonstration and the checks never teach (among answers whose
    // steps reach the target, two in three a policy samples at temperature 1 transcribe them wrongly; the policy's
    // probability ranks them at AUC 0.83, the value head at chance). Lines that leave nothing readable keep the head's value.
    private float Judged(float value, string[] lines, double answerLogProbability)
    {
        int last = LastLine(lines);
        if (last == 0) return value;
        bool finished = checks.Task.IsAnswerLine(lines[last].Trim());
        if (finished) value *= (float)Math.Exp(answerLogProbability);
        var step = finished ? last - 1 : last;
        if (step == 0 || checks.Task.Remaining(lines[0], lines[step]) is not { } left) return value;
        var leftValue = ValueOf(left);
        return finished ? value * leftValue : leftValue;
    }

    private float ValueOf(string prompt)
    {
        if (remaining.TryGetValue(prompt, out var value)) return value;
        int[] tokens = [Tokenizer.Begin, .. tokenizer.Encode(prompt)];
        if (tokens.Length > decoder.Model.Config.Context) return remaining[prompt] = 0f; // no problem it learned is this long
        int slot = decoder.Allocate();
        decoder.Prefill(slot, tokens);
        value = decoder.Value(slot);
        decoder.Free(slot);
        ForwardTokens += tokens.Length;
        return remaining[prompt] = value;
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
