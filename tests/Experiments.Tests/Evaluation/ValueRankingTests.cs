using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;
using Reasoner.Experiments.Tests.Reports;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Search.Mcts;

namespace Reasoner.Experiments.Tests.Evaluation;

public class ValueRankingTests
{
    [Fact]
    public void FinishedAndPartialStatesAreRankedApartAndPartialOnesByDepth()
    {
        ScoredState[] states =
        [
            // Finished: the right answer above both wrong ones.
            new(3, true, 0.9f, true), new(3, true, 0.2f, false), new(3, true, 0.1f, false),
            // Depth 1: perfectly ranked; depth 2: inverted.
            new(1, false, 0.8f, true), new(1, false, 0.3f, false),
            new(2, false, 0.1f, true), new(2, false, 0.6f, false), new(2, false, 0.7f, false),
            // Depth 0 holds one class only.
            new(0, false, 0.5f, true),
        ];
        var ranking = ValueRanking.Of(states);
        Assert.Equal((3, 1, 1.0), (ranking.FinishedStates, ranking.FinishedSolvable, ranking.FinishedAuc));
        Assert.Equal((6, 3), (ranking.PartialStates, ranking.PartialSolvable));
        // Partial pairs (positive above negative): 0.8 beats 0.3, 0.6, 0.7; 0.5 beats 0.3; 0.1 beats none: 4 of 9.
        Assert.Equal(4.0 / 9, ranking.PartialAuc!.Value, 1e-12);
        Assert.Equal([new DepthAuc(0, 1, 1, null), new DepthAuc(1, 2, 1, 1.0), new DepthAuc(2, 3, 1, 0.0)], ranking.ByDepth);
        var json = ranking.ToJson().ToJsonString();
        Assert.Contains("\"finished_auc\":1", json);
        Assert.Contains("{\"depth\":0,\"states\":1,\"solvable\":1,\"auc\":null}", json);
    }

    [Fact]
    public void The_states_of_a_search_tree_are_its_valued_nodes_labelled_by_the_oracle()
    {
        var task = new LineStepsTask();
        var problem = task.Generate(Split.Test, 1, 0)[0];
        var result = SearchFactory.Create(new MctsConfig(Simulations: 12, Candidates: 2)).Run(task, problem, new AlternatingProposer(),
            new ConstantValue(0.4f), SearchBudget.Unlimited, new Random(1));
        var states = ValueRanking.StatesOf(task, problem, result);
        var tree = result.Tree;
        var valued = Enumerable.Range(0, tree.Count).Where(n => !float.IsNaN(tree.Value[n]) && tree.Kind[n] != NodeKind.DeadEnd).ToList();
        Assert.Equal(valued.Count, states.Count);
        Assert.Equal(valued.Select(n => (tree.Depth[n], tree.Kind[n] == NodeKind.Answer, task.IsSolvable(problem, tree.StepsTo(n)))),
            states.Select(s => (s.Depth, s.Finished, s.Solvable)));
        Assert.Contains(states, s => s.Solvable);
        Assert.Contains(states, s => !s.Solvable);
    }

    [Fact]
    public void The_summary_names_the_value_source_and_shows_each_methods_ranking()
    {
        var rows = new[] { new ValueRankingRow(1, "tot-bfs", ValueRanking.Of([new(1, false, 0.9f, true), new(1, false, 0.1f, false), new(2, true, 0.7f, true), new(2, true, 0.6f, false)])) };
        var text = ValueReport.Render(rows, "Value targets: expert.");
        Assert.Contains("## Value model", text);
        Assert.Contains("Value targets: expert.", text);
        Assert.Contains("| 1 | tot-bfs | 1.000 | 2 (1) | 1.000 | 2 (1) | 1: 1.000 (2) |", text);
        Assert.Equal("", ValueReport.Render([], null));

        using var temp = new TempFolder();
        var run = RunDirectory.Create(temp.Path, "valued", TimeProvider.System);
        using (var writer = ValueRankingWriter.ForRun(run)) writer.Append(rows[0]);
        Assert.Equal(rows[0].Value.ByDepth, Assert.Single(ValueRankingWriter.Read(run)).Value.ByDepth);
    }

    /// <summary>Lines "a" (solvable) or "b" (not), then "Answer: a" after two steps; the oracle wants only a's.</summary>
    sealed class LineStepsTask : ITask
    {
        public string Name => "lines";
        public string Alphabet => "ab :Anrsw\n";
        public IReadOnlyList<Problem> Generate(Split split, int count, int seed) => [.. Enumerable.Range(0, count).Select(i => new Line($"p{i}"))];
        public string Prompt(Problem problem) => "p\n";
        public IReadOnlyList<string> Solve(Problem problem) => ["a", "a", "Answer: a"];
        public int MaxSteps(Problem problem) => 3;
        public bool IsAnswerLine(string line) => line.StartsWith("Answer:", StringComparison.Ordinal);
        public ParsedCompletion Parse(string completion) => new(completion.Split('\n'), null);
        public Verdict Verify(Problem problem, string completion, RewardConfig rewards) =>
            new(completion == "a\na\nAnswer: a", true, [], completion == "a\na\nAnswer: a" ? 1 : 0, null);
        public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) =>
            steps.Count > 0 && IsAnswerLine(steps[^1]) ? Verify(problem, string.Join('\n', steps), new()).Correct : steps.All(s => s == "a");
        public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) => ["b"];
        public System.Text.Json.Nodes.JsonObject ToJson(Problem problem) => [];
        public Problem FromJson(System.Text.Json.Nodes.JsonObject json) => new Line("p");
        sealed record Line(string Id) : Problem(Id);
    }

    /// <summary>Proposes "a" and "b" at depths 0 and 1, then "Answer: a" and "Answer: b".</summary>
    sealed class AlternatingProposer : IStepProposer
    {
        readonly Dictionary<long, int> depth = [];
        long next;

        public RootState Begin(Problem problem, string prompt)
        {
            depth[next] = 0;
            return new RootState(new StateHandle(next++), 1);
        }

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request) =>
            states.Select(state => (IReadOnlyList<StepProposal>)new[] { "a", "b" }.Select(text =>
            {
                var d = depth[state.Id] + 1;
                depth[next] = d;
                return new StepProposal(d == 3 ? $"Answer: {text}" : text, -0.7, 1, 1, new StateHandle(next++));
            }).ToList()).ToList();

        public void Release(StateHandle state) => depth.Remove(state.Id);
    }

    sealed class ConstantValue(float value) : IValueEstimator
    {
        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) => [.. states.Select(_ => value)];
    }
}
