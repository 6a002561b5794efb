using System.Text.Json.Nodes;
using Reasoner.Search.Mcts;

namespace Reasoner.Search.Tests;

public class FactoryTests
{
    [Fact]
    public void EveryMethodIsBuiltByItsName()
    {
        foreach (var method in SearchFactory.Methods)
            Assert.Equal(method, SearchFactory.Create(method).Name);
    }

    [Fact]
    public void OptionsBindToTheConfigRecordByKebabOrPascalName()
    {
        var config = SearchFactory.Bind<MctsConfig>("mcts", new Dictionary<string, string>
        {
            ["simulations"] = "128", ["c-puct"] = "1.5", ["Gumbel"] = "true", ["gumbel-considered"] = "4",
        });
        Assert.Equal(new MctsConfig(Simulations: 128, CPuct: 1.5f, Gumbel: true, GumbelConsidered: 4), config);
        Assert.Equal(new BeamConfig(Score: BeamScore.LogProb), SearchFactory.Bind<BeamConfig>("beam", new Dictionary<string, string> { ["score"] = "log-prob" }));
    }

    [Fact]
    public void BadNamesAndValuesAreFormatErrorsNamingThem()
    {
        Assert.Contains("'dijkstra'", Assert.Throws<FormatException>(() => SearchFactory.Create("dijkstra")).Message);
        Assert.Contains("'cpucct'", Assert.Throws<FormatException>(() => SearchFactory.Create("mcts", new Dictionary<string, string> { ["cpucct"] = "1" })).Message);
        Assert.Contains("'many'", Assert.Throws<FormatException>(() => SearchFactory.Create("sample", new Dictionary<string, string> { ["samples"] = "many" })).Message);
        Assert.Contains("'score'", Assert.Throws<FormatException>(() => SearchFactory.Create("beam", new Dictionary<string, string> { ["score"] = "vibes" })).Message);
        Assert.Throws<FormatException>(() => SearchFactory.Create("greedy", new Dictionary<string, string> { ["samples"] = "2" }));
    }

    [Fact]
    public void TheTreeIsSavedAsJsonWithTheChosenPathMarked()
    {
        var result = SearchFactory.Create(new MctsConfig(Simulations: 8)).Run(new LineTask(3), Scripts.Problem,
            new ScriptedProposer(Scripts.Uniform(3, 3)), new ScriptedValue(Scripts.PreferOnes), SearchBudget.Unlimited, new Random(0));
        var json = JsonNode.Parse(SearchTreeJson.ToJson(result))!.AsObject();
        var nodes = json["nodes"]!.AsArray();
        Assert.Equal(result.Tree.Count, nodes.Count);
        Assert.Equal(result.ChosenPath, nodes.Where(n => (bool)n!["chosen"]!).Select(n => (int)n!["id"]!));
        Assert.Equal(result.ChosenPath, json["chosen_path"]!.AsArray().Select(n => (int)n!));
        Assert.Equal(-1, (int)nodes[0]!["parent"]!);
        Assert.Equal(result.Tree.Visits[0], (int)nodes[0]!["visits"]!);
        Assert.Equal(result.Completion, (string)json["completion"]!);
    }
}
