using Reasoner.Experiments.Config;

namespace Reasoner.Experiments.Tests.Config;

public class ConfigWriterTests
{
    [Fact]
    public void WritesEveryFieldAndReadsBackEqual()
    {
        var original = new Root("run", new Leaf(3, 1e-4, false, Colour.DeepBlue), [new Item("a", 2), new Item("b")],
            [7, 8], new Dictionary<string, string> { ["size"] = "4" }, "null", 9);
        string yaml = ConfigWriter.ToYaml(original);
        var back = ConfigBinder.Load<Root>(yaml, "written.yaml");

        Assert.Equal(original.Name, back.Name);
        Assert.Equal(original.Leaf, back.Leaf);
        Assert.Equal(original.Items, back.Items);
        Assert.Equal(original.Seeds, back.Seeds);
        Assert.Equal(original.Options, back.Options);
        Assert.Equal("null", back.Note);
        Assert.Equal(9, back.Big);
        Assert.Contains("colour: deep-blue", yaml);
        Assert.Contains("seeds: [7, 8]", yaml);
        Assert.DoesNotContain("...", yaml);
    }

    [Fact]
    public void DefaultsAreWrittenOut()
    {
        string yaml = ConfigWriter.ToYaml(new Root("run"));
        Assert.Contains("simulations: 10", yaml);
        Assert.Contains("note: null", yaml);
        Assert.Null(ConfigBinder.Load<Root>(yaml, "w.yaml").Note);
    }

    [Fact]
    public void ExperimentConfigRoundTripsWithEverySection()
    {
        var config = ConfigBinder.Load<ExperimentConfig>("""
            name: game24-mcts
            task:
              name: countdown
              numbers: 4
            self_improvement:
              algorithm: alphazero
              search:
                mcts: {simulations: 128}
            evaluation:
              methods: [system1, best-of-n, mcts]
            """, "x.yaml", ["seed=3"]);
        string yaml = ConfigWriter.ToYaml(config);
        var back = ConfigBinder.Load<ExperimentConfig>(yaml, "config.yaml");

        Assert.Equal(ConfigWriter.ToYaml(back), yaml);
        Assert.Equal(SelfImprovementAlgorithm.AlphaZero, back.SelfImprovement.Algorithm);
        Assert.Equal(128, back.SelfImprovement.Search.Mcts.Simulations);
        Assert.Equal([SearchMethod.System1, SearchMethod.BestOfN, SearchMethod.Mcts], back.Evaluation.Methods);
        Assert.Equal(4, back.Task.Numbers);
        Assert.Equal(3, back.Seed);
        Assert.Contains("d_model: 128", yaml);
        Assert.Contains("problems_per_iteration: 512", yaml);
        Assert.Contains("c_puct: 1.25", yaml);
    }

    [Fact]
    public void ValueTargetsAndNetworkBindByNameAndABadOneIsNamed()
    {
        var config = ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: game24}\nimitation: {value_targets: both, value_network: shared, value_lr: 0.001}\n", "x.yaml");
        Assert.Equal((Reasoner.Experiments.Training.ValueTargetSource.Both, ValueNetwork.Shared, 0.001), (config.Imitation.ValueTargets, config.Imitation.ValueNetwork, config.Imitation.ValueLr));
        var defaults = ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: game24}\n", "x.yaml");
        Assert.Equal((Reasoner.Experiments.Training.ValueTargetSource.Expert, ValueNetwork.Separate, (double?)null), (defaults.Imitation.ValueTargets, defaults.Imitation.ValueNetwork, defaults.Imitation.ValueLr));
        Assert.Contains("value_targets: expert", ConfigWriter.ToYaml(defaults));
        var error = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: game24}\nimitation: {value_targets: oracle}\n", "x.yaml"));
        Assert.Equal(("imitation.value_targets", 3), (error.KeyPath, error.Line));
    }

    [Fact]
    public void ExperimentConfigChecksHeadsDivideWidth()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: game24}\nmodel:\n  d_model: 100\n  heads: 3\n", "x.yaml"));
        Assert.Equal(("model.heads", 5), (error.KeyPath, error.Line));
    }

    [Fact]
    public void ExperimentConfigNamesAnAlgorithmWithoutItsSearchAndATaskOption()
    {
        var search = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: game24}\nself_improvement:\n  algorithm: grpo\n  search: {method: mcts}\n", "x.yaml"));
        Assert.Equal("self_improvement.search.method", search.KeyPath);
        var task = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>("name: x\ntask: {name: game24, numbers: 3}\n", "x.yaml"));
        Assert.Contains("numbers", task.Message);
        // Step checks are learnt by the separate value network only.
        var checks = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: game24}\nimitation: {checker_steps: 100, value_network: shared}\n", "x.yaml"));
        Assert.Equal("imitation.checker_steps", checks.KeyPath);
        var states = Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>(
            "name: x\ntask: {name: game24}\nimitation: {check_states: true}\n", "x.yaml"));
        Assert.Equal("imitation.check_states", states.KeyPath);
        // Another task's problems to drill: it needs the checks, a count, and characters the policy reads.
        foreach (var (yaml, key) in new[]
        {
            ("imitation: {check_task: {name: game24}, check_problems: 10}", "imitation.check_task"),
            ("imitation: {checker_steps: 10, check_task: {name: game24}}", "imitation.check_problems"),
            ("imitation: {checker_steps: 10, check_problems: 10}", "imitation.check_problems"),
            ("imitation: {checker_steps: 10, check_task: {name: sudoku}, check_problems: 10}", "imitation.check_task"),
            // The loop's task must be one the policy reads; demonstrations have no share in GRPO, which has none beside it.
            ("self_improvement: {task: {name: sudoku}}", "self_improvement.task"),
            ("self_improvement: {algorithm: grpo, search: {method: self-consistency}, demonstration_share: 0.5}", "self_improvement.demonstration_share"),
            ("self_improvement: {demonstration_share: 1}", "self_improvement.demonstration_share"),
        })
            Assert.Equal(key, Assert.Throws<ConfigException>(() => ConfigBinder.Load<ExperimentConfig>($"name: x\ntask: {{name: countdown}}\n{yaml}\n", "x.yaml")).KeyPath);
    }
}
