namespace Reasoner.Policy;

/// <summary>
/// Shape of the GPT (the model of shared/bench/torch_ref.py): L layers of pre-LN blocks, H heads, d_model channels,
/// V vocabulary entries (the tokenizer's), ctx positions. Defaults are torch_ref.py's "small" benchmark model.
/// </summary>
public sealed record GptConfig(int Layers = 4, int Heads = 4, int ModelDim = 128, int Vocab = 64, int Context = 64)
{
    public int HeadDim => ModelDim / Heads;

    public GptConfig Validated()
    {
        if (Layers < 1 || Heads < 1 || ModelDim < 1 || Vocab < 1 || Context < 1)
            throw new ArgumentException($"GPT sizes must be positive: {this}");
        if (ModelDim % Heads != 0) throw new ArgumentException($"d_model {ModelDim} is not divisible by {Heads} heads");
        return this;
    }
}
