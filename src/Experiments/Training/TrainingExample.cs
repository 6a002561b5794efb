namespace Reasoner.Experiments.Training;

/// <summary>
/// One training example, the unit every training algorithm speaks (SFT, expert iteration, AlphaZero-style targets, GRPO,
/// value learning). It is tokenized as [Begin] prompt completion, plus [End] when <paramref name="Finished"/>.
/// </summary>
/// <param name="Prompt">What the policy sees (<c>task.Prompt</c>); never trained on.</param>
/// <param name="Completion">Steps after the prompt, one a line: a whole solution, or a partial one (the first i steps,
/// each ending with "\n") for a value target.</param>
/// <param name="Weight">Multiplies the negative log-likelihood of every completion token (and the end token): 1 for
/// imitation, an advantage for policy gradient (may be negative), 0 for a value-only example.</param>
/// <param name="ValueTarget">The probability in [0,1] that the policy finishes this prefix correctly; the value head is
/// trained on it (binary cross-entropy) at the last token of prompt + completion, or at the end token of a finished
/// one (the state search scores after an answer line). Null: no value loss.</param>
/// <param name="TokenWeights">Per-token weights, one per completion character plus one for the end token when finished,
/// multiplying <paramref name="Weight"/> (GRPO's advantage with a per-token KL term, or masks). Null: all 1.</param>
/// <param name="ReferenceLogProbs">Per target (as <paramref name="TokenWeights"/>), its log-probability under a reference
/// policy: the trainer adds its KlBeta times the k3 KL towards it, computed with the policy being trained (GRPO).
/// Null: no KL term.</param>
/// <param name="Finished">The completion is a whole solution, so the policy learns to emit the end token after it.
/// False for a partial solution: no end token, and the last completion token has no next-token target.</param>
/// <param name="LineValues">Value targets of the states along the way, all trained in one pass (a process reward
/// model's per-step labels): entry 0 for the prompt alone (read after its last character), entry i for the state after
/// the completion's i-th separator; NaN: no target at that state. One entry more than the completion has separators. A
/// partial example with line values leaves <paramref name="ValueTarget"/> null: its last entry is that state.</param>
/// <param name="ValuesAlongLines">Each line value also trains the value at every token of its line (a finished
/// example's value target, every token of its answer line): a token-level value, whose target after a line's first
/// tokens is the outcome of the line they began, so its drop is learnt at the very token where a line goes wrong
/// (a digit of a wrong result) rather than from one bit at the line's end. Search still reads it after a separator.</param>
public sealed record TrainingExample(
    string Prompt,
    string Completion,
    float Weight = 1f,
    float? ValueTarget = null,
    float[]? TokenWeights = null,
    bool Finished = true,
    float[]? ReferenceLogProbs = null,
    float[]? LineValues = null,
    bool ValuesAlongLines = false)
{
    /// <summary>How many <see cref="LineValues"/> the completion takes: one for the prompt, one per separator.</summary>
    public int StateCount => 1 + Completion.Count(c => c == '\n');

    /// <summary>Completion targets the policy loss covers: each completion character, and the end token when finished.</summary>
    public int TargetCount => Completion.Length + (Finished ? 1 : 0);

    /// <summary>Tokens of the whole sequence: begin, prompt, completion and, when finished, the end token (what decoding it needs of the context).</summary>
    public int TokenCount => 1 + Prompt.Length + Completion.Length + (Finished ? 1 : 0);

    /// <summary>Input positions of its row: begin, prompt, completion, and the end token when a finished example has a
    /// value target (its value is read there).</summary>
    public int InputCount => 1 + Prompt.Length + Completion.Length + (Finished && ValueTarget is not null ? 1 : 0);

    /// <summary>How errors name the example: its first prompt line.</summary>
    public string Describe()
    {
        int newline = Prompt.IndexOf('\n');
        return $"\"{(newline >= 0 ? Prompt[..newline] : Prompt)}\"";
    }
}
