using System.Globalization;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Search;

namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// A search as the loop runs it: its name in metrics (<c>system1</c>, <c>mcts</c>, ...), the factory spec with the
/// experiment's settings, and the per-problem budget. Self-improvement plays MCTS with root noise and moves sampled
/// by visits; evaluation never does (<see cref="MethodSpec.ForEvaluation"/>).
/// </summary>
public sealed record SearchPlan(string Label, MethodSpec Spec, SearchBudget Budget)
{
    /// <summary>Evaluation plans label the states the value model scored (<see cref="Episode.ScoredStates"/>).</summary>
    public bool ScoresStates { get; init; }

    public ISearch Create() => Spec.Create();

    public static string LabelOf(SearchMethod method) => ConfigNames.EnumValue(method.ToString());

    public static SearchPlan ForEvaluation(SearchMethod method, SearchConfig config)
    {
        var spec = MethodSpec.ForEvaluation(method, config);
        if (method == SearchMethod.Mcts)
            spec = spec with { Options = new Dictionary<string, string>(spec.Options) { ["candidates"] = Text(config.Mcts.Candidates) } };
        return new SearchPlan(LabelOf(method), spec, new SearchBudget(MaxStepTokens: config.MaxStepTokens)) { ScoresStates = true };
    }

    public static SearchPlan ForSelfImprovement(SearchConfig config)
    {
        if (config.Method != SearchMethod.Mcts) return ForEvaluation(config.Method, config) with { ScoresStates = false };
        var mcts = config.Mcts;
        var spec = new MethodSpec("mcts", new Dictionary<string, string>
        {
            ["simulations"] = Text(mcts.Simulations),
            ["candidates"] = Text(mcts.Candidates),
            ["c-puct"] = Text(mcts.CPuct),
            ["normalize-q"] = mcts.NormalizeQ ? "true" : "false",
            ["dirichlet-alpha"] = Text(mcts.DirichletAlpha),
            ["dirichlet-fraction"] = Text(mcts.DirichletFraction),
            ["move-temperature"] = Text(mcts.Temperature),
            ["proposal-temperature"] = Text(config.Temperature),
        });
        spec.Create(); // names a bad option now rather than in a worker
        return new SearchPlan(LabelOf(SearchMethod.Mcts), spec, new SearchBudget(MaxStepTokens: config.MaxStepTokens));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
