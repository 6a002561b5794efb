using System.Globalization;
using Reasoner.Tensors.IO;

namespace Reasoner.Policy;

/// <summary>A loaded checkpoint: the model, its tokenizer when the file carries an alphabet, and every metadata entry
/// (the model's own keys included), for what callers above the policy record, such as the task.</summary>
public sealed record LoadedCheckpoint(Gpt Model, Tokenizer? Tokenizer, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Checkpoints are safetensors files in torch_ref.py's layout (so PyTorch computes the same logits from them), plus the
/// value head tensors after the LM tensors and the tokenizer alphabet in the metadata, so a checkpoint is self-contained.
/// Metadata: n_layer, n_head, d_model, vocab, ctx (strings, as torch_ref.py writes them), alphabet, and whatever the
/// caller adds (the task it was trained on: see Reasoner.Experiments' TaskCheckpoint).
/// </summary>
public static class Checkpoint
{
    /// <param name="extraMetadata">More metadata entries; they may not reuse the checkpoint's own keys.</param>
    public static void Save(string path, Gpt model, Tokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var config = model.Config;
        var metadata = new Dictionary<string, string>
        {
            ["n_layer"] = config.Layers.ToString(CultureInfo.InvariantCulture),
            ["n_head"] = config.Heads.ToString(CultureInfo.InvariantCulture),
            ["d_model"] = config.ModelDim.ToString(CultureInfo.InvariantCulture),
            ["vocab"] = config.Vocab.ToString(CultureInfo.InvariantCulture),
            ["ctx"] = config.Context.ToString(CultureInfo.InvariantCulture),
        };
        if (tokenizer is not null)
        {
            if (tokenizer.VocabSize != config.Vocab) throw new ArgumentException($"tokenizer has {tokenizer.VocabSize} tokens but the model's vocab is {config.Vocab}");
            metadata["alphabet"] = tokenizer.Alphabet;
        }
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>())
        {
            if (key is "n_layer" or "n_head" or "d_model" or "vocab" or "ctx" or "alphabet") throw new ArgumentException($"metadata key '{key}' is the checkpoint's own", nameof(extraMetadata));
            metadata[key] = value;
        }
        SafeTensors.Write(path, model.Layout.Tensors.Select(v => (v.Name, v.Shape, (ReadOnlyMemory<float>)model.Parameters.AsMemory(v.Offset, v.Length))), metadata);
    }

    /// <summary>
    /// Loads a checkpoint. Shapes come from the tensors and n_head from the metadata; every tensor must be present with
    /// its shape. A file without value_head.* (a plain LM, e.g. exported by torch_ref.py) gets a zero value head.
    /// </summary>
    public static LoadedCheckpoint Load(string path)
    {
        var file = SafeTensors.Read(path);
        var wte = file.Tensors.FirstOrDefault(t => t.Name == "wte") ?? throw new InvalidDataException($"{path}: missing tensor 'wte'");
        var wpe = file.Tensors.FirstOrDefault(t => t.Name == "wpe") ?? throw new InvalidDataException($"{path}: missing tensor 'wpe'");
        if (wte.Shape.Length != 2 || wpe.Shape.Length != 2) throw new InvalidDataException($"{path}: tensor 'wte' or 'wpe' is not a matrix");
        int layers = file.Tensors.Count(t => t.Name.StartsWith("h.", StringComparison.Ordinal) && t.Name.EndsWith(".ln_1.weight", StringComparison.Ordinal));
        string headsText = file.GetMetadata("n_head");
        if (!int.TryParse(headsText, NumberStyles.None, CultureInfo.InvariantCulture, out int heads) || heads < 1)
            throw new InvalidDataException($"{path}: metadata n_head '{headsText}' is not a positive integer");
        GptConfig config;
        try
        {
            config = new GptConfig(layers, heads, wte.Shape[1], wte.Shape[0], wpe.Shape[0]).Validated();
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: inconsistent model shape ({error.Message})", error);
        }
        var model = new Gpt(config);
        bool hasValueHead = file.Contains(model.Layout.ValueWeight.Name) || file.Contains(model.Layout.ValueBias.Name);
        foreach (var view in model.Layout.Tensors)
        {
            if (!hasValueHead && view.Name.StartsWith("value_head.", StringComparison.Ordinal)) continue;
            file.Get(view.Name, view.Shape).Data.CopyTo(view.Of(model.Parameters));
        }
        Tokenizer? tokenizer = null;
        if (file.Metadata.TryGetValue("alphabet", out var alphabet))
        {
            try
            {
                tokenizer = new Tokenizer(alphabet);
            }
            catch (ArgumentException error)
            {
                throw new InvalidDataException($"{path}: metadata alphabet is not a valid tokenizer alphabet ({error.Message})", error);
            }
            if (tokenizer.VocabSize != config.Vocab)
                throw new InvalidDataException($"{path}: the alphabet gives {tokenizer.VocabSize} tokens but tensor 'wte' has {config.Vocab} rows");
        }
        return new LoadedCheckpoint(model, tokenizer, file.Metadata);
    }
}
