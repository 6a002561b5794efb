using Reasoner.Tensors.IO;

namespace Reasoner.Policy.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpoint-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_saved_checkpoint_loads_back_with_its_parameters_tokenizer_and_torch_ref_layout()
    {
        var tokenizer = new Tokenizer("0123456789+=");
        var model = Gpt.CreateRandom(new GptConfig(2, 2, 8, tokenizer.VocabSize, 10), seed: 4);
        model.Parameters[model.Layout.ValueBias.Offset] = 0.75f;
        string path = Path.Combine(_directory, "c.safetensors");
        Checkpoint.Save(path, model, tokenizer);

        var loaded = Checkpoint.Load(path);
        Assert.Equal(model.Config, loaded.Model.Config);
        Assert.Equal(model.Parameters, loaded.Model.Parameters);
        Assert.Equal("0123456789+=", loaded.Tokenizer!.Alphabet);

        var file = SafeTensors.Read(path);
        Assert.Equal(["wte", "wpe", "h.0.ln_1.weight", "h.0.ln_1.bias", "h.0.attn.c_attn.weight"], file.Tensors.Take(5).Select(t => t.Name));
        Assert.Equal(["ln_f.weight", "ln_f.bias", "value_head.weight", "value_head.bias"], file.Tensors.TakeLast(4).Select(t => t.Name));
        Assert.Equal(["2", "2", "8", "16", "10"], new[] { "n_layer", "n_head", "d_model", "vocab", "ctx" }.Select(file.GetMetadata));
    }

    [Fact]
    public void A_plain_language_model_from_torch_ref_loads_with_a_zero_value_head()
    {
        var loaded = Checkpoint.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny.safetensors"));
        Assert.Equal(new GptConfig(2, 4, 32, 48, 16), loaded.Model.Config);
        Assert.All(loaded.Model.Layout.ValueWeight.Of(loaded.Model.Parameters).ToArray(), w => Assert.Equal(0f, w));
        Assert.Null(loaded.Tokenizer);
    }

    [Fact]
    public void A_checkpoint_missing_a_tensor_names_file_and_tensor()
    {
        var model = Gpt.CreateRandom(new GptConfig(1, 1, 4, 5, 3), 1);
        string path = Path.Combine(_directory, "partial.safetensors");
        SafeTensors.Write(path, model.Layout.Tensors.Where(t => t.Name != "h.0.mlp.c_fc.bias")
            .Select(v => (v.Name, v.Shape, (ReadOnlyMemory<float>)model.Parameters.AsMemory(v.Offset, v.Length))),
            new Dictionary<string, string> { ["n_head"] = "1" });
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("'h.0.mlp.c_fc.bias'", error.Message);
    }
}
