namespace Reasoner.Experiments.Inference;

/// <summary>How <see cref="PolicyProposer"/> gets a state's prefix into the model before generating its next step.</summary>
public enum PrefixMode
{
    /// <summary>A child forks its parent's KV cache and runs only its own new tokens forward.</summary>
    CacheReuse,
    /// <summary>
    /// Every proposal prefills its whole prefix (prompt and steps) into a fresh slot. Slower by design: it exists only
    /// to measure what cache reuse saves on the same search.
    /// </summary>
    ReEncode,
}
