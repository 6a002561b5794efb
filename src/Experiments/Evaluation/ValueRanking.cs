using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reasoner.Experiments.Statistics;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// One state a search asked the value model about, with the ground truth: the task's exact oracle for a partial state,
/// the verifier for a finished one (<see cref="ITask.IsSolvable"/>). Measurement on held-out problems only.
/// </summary>
/// <param name="Depth">Steps from the prompt (a finished state counts its answer line).</param>
public readonly record struct ScoredState(int Depth, bool Finished, float Value, bool Solvable);

/// <summary>Partial states at one depth: how many, how many solvable, and the AUC of their values (null: one class only).</summary>
public sealed record DepthAuc(int Depth, int States, int Solvable, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Auc);

/// <summary>
/// How well a value model ranks the states a search met (issue 9): the AUC of its values against the ground truth over
/// finished states (answers: is this one right?) and over partial states (can this still be solved?), and the partial
/// states' AUC by depth. 0.5 is a value that cannot rank; search can prune only with a value well above it.
/// </summary>
/// <remarks>An undefined AUC is written as null (value.jsonl), never left out.</remarks>
public sealed record ValueRanking(int FinishedStates, int FinishedSolvable, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FinishedAuc,
    int PartialStates, int PartialSolvable, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PartialAuc, IReadOnlyList<DepthAuc> ByDepth)
{
    public static ValueRanking Of(IEnumerable<ScoredState> states)
    {
        var all = states.ToList();
        var finished = all.Where(s => s.Finished).ToList();
        var partial = all.Where(s => !s.Finished).ToList();
        var byDepth = partial.GroupBy(s => s.Depth).OrderBy(g => g.Key)
            .Select(g => new DepthAuc(g.Key, g.Count(), g.Count(s => s.Solvable), Auc(g))).ToList();
        return new ValueRanking(finished.Count, finished.Count(s => s.Solvable), Auc(finished), partial.Count, partial.Count(s => s.Solvable), Auc(partial), byDepth);
    }

    /// <summary>
    /// Every open or finished node of the result's tree that has a value, labelled by the oracle. Dead ends are left out:
    /// search values them 0 without asking the model.
    /// </summary>
    public static IReadOnlyList<ScoredState> StatesOf(ITask task, Problem problem, SearchResult result)
    {
        var tree = result.Tree;
        var states = new List<ScoredState>();
        for (var node = 0; node < tree.Count; node++)
        {
            if (float.IsNaN(tree.Value[node]) || tree.Kind[node] == NodeKind.DeadEnd) continue;
            states.Add(new ScoredState(tree.Depth[node], tree.Kind[node] == NodeKind.Answer, tree.Value[node], task.IsSolvable(problem, tree.StepsTo(node))));
        }
        return states;
    }

    /// <summary>{"finished_states", "finished_solvable", "finished_auc", "partial_states", "partial_solvable", "partial_auc",
    /// "by_depth": [{"depth", "states", "solvable", "auc"}]}; an AUC is null when its states are all of one class.</summary>
    public JsonObject ToJson() => new()
    {
        ["finished_states"] = FinishedStates,
        ["finished_solvable"] = FinishedSolvable,
        ["finished_auc"] = FinishedAuc,
        ["partial_states"] = PartialStates,
        ["partial_solvable"] = PartialSolvable,
        ["partial_auc"] = PartialAuc,
        ["by_depth"] = new JsonArray(ByDepth.Select(d => (JsonNode)new JsonObject
        {
            ["depth"] = d.Depth,
            ["states"] = d.States,
            ["solvable"] = d.Solvable,
            ["auc"] = d.Auc,
        }).ToArray()),
    };

    private static double? Auc(IEnumerable<ScoredState> states) => RankAuc.Of(states.Select(s => ((double)s.Value, s.Solvable)).ToList());
}
