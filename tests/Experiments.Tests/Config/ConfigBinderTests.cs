using System.ComponentModel.DataAnnotations;
using Reasoner.Experiments.Config;

namespace Reasoner.Experiments.Tests.Config;

public enum Colour { DeepBlue, Red }

public sealed record Leaf([Range(1, 100)] int Simulations = 10, double Rate = 0.5, bool Enabled = true, Colour Colour = Colour.Red);

public sealed record Item(string Id, int? Weight = null);

public sealed record Root(
    string Name,
    Leaf? Leaf = null,
    IReadOnlyList<Item>? Items = null,
    IReadOnlyList<int>? Seeds = null,
    IReadOnlyDictionary<string, string>? Options = null,
    string? Note = null,
    long Big = 1) : IValidatedConfig
{
    public Leaf Leaf { get; init; } = Leaf ?? new();
    public IReadOnlyList<Item> Items { get; init; } = Items ?? [];
    public IReadOnlyList<int> Seeds { get; init; } = Seeds ?? [0];
    public IReadOnlyDictionary<string, string> Options { get; init; } = Options ?? new Dictionary<string, string>();

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Seeds.Count > 3)
        {
            yield return new ConfigIssue("seeds", "at most 3 seeds");
        }
    }
}

public class ConfigBinderTests
{
    private const string File = "exp.yaml";

    private static Root Load(string yaml, params string[] overrides) => ConfigBinder.Load<Root>(yaml, File, overrides);

    private static ConfigException Fails(string yaml, params string[] overrides) => Assert.Throws<ConfigException>(() => Load(yaml, overrides));

    [Fact]
    public void BindsEveryKindOfField()
    {
        var root = Load("""
            name: run
            leaf:
              simulations: 42
              rate: 1e-3
              enabled: false
              colour: deep-blue
            items:
              - id: a
                weight: 3
              - id: b
            seeds: [1, 2]
            options: {size: "4", depth: 2}
            note: ~
            big: 5000000000
            """);
        Assert.Equal("run", root.Name);
        Assert.Equal(new Leaf(42, 1e-3, false, Colour.DeepBlue), root.Leaf);
        Assert.Equal([new Item("a", 3), new Item("b")], root.Items);
        Assert.Equal([1, 2], root.Seeds);
        Assert.Equal("4", root.Options["size"]);
        Assert.Equal("2", root.Options["depth"]);
        Assert.Null(root.Note);
        Assert.Equal(5_000_000_000L, root.Big);
    }

    [Fact]
    public void AbsentKeysTakeTheirDefaults()
    {
        var root = Load("name: run");
        Assert.Equal(new Leaf(), root.Leaf);
        Assert.Equal([0], root.Seeds);
        Assert.Empty(root.Items);
    }

    [Theory]
    [InlineData("DEEP_BLUE")]
    [InlineData("DeepBlue")]
    [InlineData("deep-blue")]
    public void EnumsMatchByNameIgnoringCaseAndSeparators(string text) =>
        Assert.Equal(Colour.DeepBlue, Load($"name: x\nleaf:\n  colour: {text}").Leaf.Colour);

    [Fact]
    public void UnknownKeyNamesKeyPathAndLineAndSuggests()
    {
        var error = Fails("name: run\nleaf:\n  simulatons: 5\n");
        Assert.Equal("leaf.simulatons", error.KeyPath);
        Assert.Equal(3, error.Line);
        Assert.Equal("exp.yaml, line 3, key 'leaf.simulatons': unknown key (did you mean 'simulations'?); valid keys here: simulations, rate, enabled, colour", error.Message);
    }

    [Fact]
    public void WrongTypeNamesKeyPathAndLine()
    {
        var error = Fails("name: run\nleaf:\n  rate: 0.1\n  simulations: many\n");
        Assert.Equal(("leaf.simulations", 4), (error.KeyPath, error.Line));
        Assert.Contains("expected an integer, got 'many'", error.Message);
        Assert.StartsWith("exp.yaml, line 4", error.Message);
    }

    [Theory]
    [InlineData("leaf:\n  enabled: yes", "leaf.enabled", "expected true or false")]
    [InlineData("leaf:\n  simulations: \"5\"", "leaf.simulations", "expected an integer")]
    [InlineData("leaf:\n  rate: [1]", "leaf.rate", "expected a single value, got a list")]
    [InlineData("leaf: 3", "leaf", "expected a section of keys")]
    [InlineData("leaf:\n  colour: green", "leaf.colour", "expected one of deep-blue | red")]
    [InlineData("seeds: [1, x]", "seeds[1]", "expected an integer")]
    [InlineData("items:\n  - weight: 1", "items[0].id", "required key is missing")]
    [InlineData("leaf: null", "leaf", "null is not allowed")]
    public void ErrorsNameTheKeyPath(string body, string keyPath, string problem)
    {
        var error = Fails("name: run\n" + body);
        Assert.Equal(keyPath, error.KeyPath);
        Assert.Contains(problem, error.Message);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void MissingRequiredKeyIsAnError()
    {
        var error = Fails("leaf:\n  rate: 1\n");
        Assert.Equal(("name", 1), (error.KeyPath, error.Line));
        Assert.Contains("required key is missing", error.Message);
    }

    [Fact]
    public void RangeAttributeIsChecked()
    {
        var error = Fails("name: run\nleaf:\n  simulations: 500\n");
        Assert.Equal(("leaf.simulations", 3), (error.KeyPath, error.Line));
        Assert.Contains("'500' is not allowed", error.Message);
    }

    [Fact]
    public void ValidateMethodIssuesPointAtTheirKey()
    {
        var error = Fails("name: run\n\nseeds: [1, 2, 3, 4]\n");
        Assert.Equal(("seeds", 3), (error.KeyPath, error.Line));
        Assert.Contains("at most 3 seeds", error.Message);
    }

    [Fact]
    public void InvalidYamlNamesTheLine()
    {
        var error = Fails("name: run\nleaf: [1, 2\nseeds: 3\n");
        Assert.Equal("exp.yaml", error.Origin);
        Assert.NotNull(error.Line);
        Assert.Contains("invalid YAML", error.Message);
    }

    [Fact]
    public void OverridesReplaceAndAddValues()
    {
        var root = Load("name: run\nleaf:\n  rate: 0.1\n", "leaf.simulations=7", "leaf.rate=0.25", "seeds=[4, 5]", "note=hello");
        Assert.Equal(7, root.Leaf.Simulations);
        Assert.Equal(0.25, root.Leaf.Rate);
        Assert.Equal([4, 5], root.Seeds);
        Assert.Equal("hello", root.Note);
    }

    [Fact]
    public void OverrideErrorsNameTheOverride()
    {
        var wrongType = Fails("name: run\nleaf:\n  rate: 0.1\n", "leaf.rate=fast");
        Assert.Equal("--set leaf.rate=fast, key 'leaf.rate': expected a number, got 'fast'", wrongType.Message);
        Assert.Null(wrongType.Line);

        var unknown = Fails("name: run\n", "leaf.speed=1");
        Assert.Equal(("--set leaf.speed=1", "leaf.speed"), (unknown.Origin, unknown.KeyPath));

        var notSection = Fails("name: run\n", "name.first=1");
        Assert.Equal("name", notSection.KeyPath);
        Assert.Contains("not a section", notSection.Message);

        Assert.Contains("expected key.path=value", Fails("name: run\n", "leaf.rate").Message);
    }

    [Fact]
    public void ExplicitNullInAnOverrideIsNull() => Assert.Null(Load("name: run\nnote: hi\n", "note=").Note);

    [Fact]
    public void LoadFileNamesAMissingFile() =>
        Assert.Throws<FileNotFoundException>(() => ConfigBinder.LoadFile<Root>(Path.Combine(Path.GetTempPath(), "no-such-config.yaml")));

    [Fact]
    public void DuplicateKeyIsAnError()
    {
        var error = Fails("name: run\nname: again\n");
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void OverrideCreatesASectionTheFileLeftOut() => Assert.Equal(0.3, Load("name: run", "leaf.rate=0.3").Leaf.Rate);

    [Fact]
    public void StringFieldsTakeAnyScalarAsText() => Assert.Equal("123", Load("name: 123").Name);

    [Fact]
    public void EmptyDocumentStillNeedsRequiredKeys() => Assert.Equal("name", Fails("").KeyPath);
}
