using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Tests.Inference;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Evaluation;

/// <summary>The evaluator on the random tiny GPT: shapes, pairing and budgets, never accuracy.</summary>
public sealed class EvaluatorTests : IDisposable
{
    readonly TinyPolicy tiny = new();
    readonly WorkerPool pool = new(1);

    public void Dispose() => pool.Dispose();

    EvaluationReport Evaluate(IReadOnlyList<MethodSpec> methods, int seed, int parallel = 1, int problemCount = 3)
    {
        var proposer = new PolicyProposer(tiny.Model, tiny.Tokenizer, pool, slots: 16);
        var evaluator = new Evaluator(tiny.Task, new InferenceBackend(proposer, new PolicyValueEstimator(proposer), ValueReadsStateOnly: true), parallel);
        var problems = tiny.Task.Generate(Split.Test, problemCount, seed: 1);
        var budget = new SearchBudget(MaxGeneratedTokens: 400, MaxStepTokens: 24);
        var report = evaluator.Run(Split.Test, problems, methods, new EvaluationOptions(seed, budget));
        Assert.Equal(0, proposer.LiveStates);
        return report;
    }

    [Fact]
    public void EveryMethodRunsTheSameProblemsWithinTheSharedBudgetAgainstSystemOne()
    {
        var methods = MethodSpec.ParseList("sample[samples=3],beam[width=2;expansions=2]");
        var report = Evaluate(methods, seed: 4);

        Assert.Equal(["system1", "sample[samples=3] maj@3", "sample[samples=3] pass@3", "beam[expansions=2;width=2]"], report.Methods.Select(m => m.Name));
        Assert.Equal((3, 4, "test", "countdown"), (report.N, report.Seed, report.Split, report.Task));
        var ids = report.Methods[0].Outcomes.Select(o => o.ProblemId).ToList();
        Assert.All(report.Methods, m => Assert.Equal(ids, m.Outcomes.Select(o => o.ProblemId)));
        Assert.All(report.Methods.SelectMany(m => m.Outcomes), o => Assert.InRange(o.GeneratedTokens, 1, 400));
        Assert.Equal(report.Methods.Skip(1).Select(m => (m.Name, "system1")), report.Paired.Select(p => (p.A, p.B)));
        Assert.Null(report.PValueAgainstSystemOne("system1"));
        // pass@k accepts a problem whenever the majority answer is right, and maybe more.
        foreach (var (maj, pass) in report.Methods[1].Outcomes.Zip(report.Methods[2].Outcomes))
            Assert.True(!maj.Correct || pass.Correct);
    }

    [Fact]
    public void TheSameSeedRepeatsAnEvaluation()
    {
        var methods = MethodSpec.ParseList("tot-bfs[proposals=3;breadth=2]");
        var first = Evaluate(methods, seed: 2);
        var second = Evaluate(methods, seed: 2);
        foreach (var (a, b) in first.Methods.Zip(second.Methods))
        {
            Assert.Equal(a.Outcomes.Select(o => (o.Answer, o.GeneratedTokens, o.PolicyTokens, o.ValueEvaluations)),
                b.Outcomes.Select(o => (o.Answer, o.GeneratedTokens, o.PolicyTokens, o.ValueEvaluations)));
        }
    }

    [Fact]
    public void BestOfNReportsHowWellTheValueModelRanksFinishedAnswers()
    {
        var problems = tiny.Task.Generate(Split.Test, 4, seed: 1);
        var proposer = new ExpertOrWrong(tiny.Task);
        var methods = MethodSpec.ParseList("best-of-n[samples=6]");
        // A value model that knows the expert's answers ranks perfectly; one that rates everything alike, not at all.
        var knowing = new Evaluator(tiny.Task, Backend(proposer, new ByLastStep(last => last.StartsWith("Answer: 1 + 1", StringComparison.Ordinal) ? 0.1f : 0.9f)))
            .Run(Split.Test, problems, methods, new EvaluationOptions(3));
        Assert.Equal(1.0, knowing.Methods[1].ValueAuc);
        var blind = new Evaluator(tiny.Task, Backend(proposer, new ByLastStep(_ => 0.5f))).Run(Split.Test, problems, methods, new EvaluationOptions(3));
        Assert.Equal(0.5, blind.Methods[1].ValueAuc);
        Assert.Null(blind.Methods[0].ValueAuc); // System 1 ranks nothing
        Assert.Contains("\"value_auc\":0.5", blind.ToJsonLine());
    }

    [Fact]
    public void ProblemsSearchedTogetherArePairedAndCountedAsWhenSearchedOneByOne()
    {
        // The GPT's batched products may round differently from one search's few rows, so this asserts the pairing and
        // counts; the draws themselves are compared exactly below, on a policy whose proposals are exact.
        var methods = MethodSpec.ParseList("mcts[simulations=4;candidates=2],tot-bfs[proposals=2;breadth=2]");
        var alone = Evaluate(methods, seed: 5, parallel: 1, problemCount: 5);
        var together = Evaluate(methods, seed: 5, parallel: 3, problemCount: 5);

        Assert.Equal(alone.Methods.Select(m => m.Name), together.Methods.Select(m => m.Name));
        foreach (var (a, b) in alone.Methods.Zip(together.Methods))
        {
            Assert.Equal(a.Outcomes.Select(o => o.ProblemId), b.Outcomes.Select(o => o.ProblemId));
            Assert.Equal(5, b.N);
            Assert.All(b.Outcomes, o => Assert.True(o.Nodes >= 1 && o.GeneratedTokens > 0, $"{b.Name} {o.ProblemId}: {o}"));
        }
    }

    [Fact]
    public void WithExactDrawsEveryOutcomeIsTheSameHoweverManyProblemsAreSearchedTogether()
    {
        var problems = tiny.Task.Generate(Split.Test, 7, seed: 1);
        var methods = MethodSpec.ParseList("best-of-n[samples=4],mcts[simulations=6;candidates=3],tot-bfs[proposals=3;breadth=2],beam[width=2;expansions=2]");
        var value = new ByLastStep(last => last.StartsWith("Answer: 1 + 1", StringComparison.Ordinal) ? 0.2f : 0.7f);
        var options = new EvaluationOptions(9, Budgets: new EvaluationBudgets(4, [0.5]));
        var reports = new[] { 1, 2, 4, 16 }.Select(parallel =>
            new Evaluator(tiny.Task, Backend(new ExpertOrWrong(tiny.Task), value), parallel).Run(Split.Test, problems, methods, options)).ToList();

        static IEnumerable<object> Outcomes(EvaluationReport report) => report.Methods.Concat(report.Budgeted).SelectMany(m => m.Outcomes.Select(o =>
            (object)(m.Name, o.ProblemId, o.Correct, o.Answer, o.GeneratedTokens, o.PolicyTokens, o.ValueEvaluations, o.Nodes)));
        Assert.True(reports[0].Methods.Sum(m => m.Correct) > 0 && reports[0].Methods.Sum(m => m.N - m.Correct) > 0, "the policy should solve some, not all");
        foreach (var report in reports.Skip(1)) Assert.Equal(Outcomes(reports[0]), Outcomes(report));
    }

    static InferenceBackend Backend(IStepProposer proposer, IValueEstimator value) => new(proposer, value, ValueReadsStateOnly: true);

    /// <summary>Each step: the expert's next line or, with probability one half, a wrong answer line. Calls answered
    /// together draw from their own seeds, as the GPT proposer's do.</summary>
    sealed class ExpertOrWrong(ITask task) : IBatchedProposer
    {
        public IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IReadOnlyList<ProposeCall> calls) =>
            calls.Select(call => Propose(call.States, call.Request)).ToList();

        readonly Dictionary<long, (Problem Problem, int Depth)> states = [];
        long next;

        public RootState Begin(Problem problem, string prompt)
        {
            states[next] = (problem, 0);
            return new RootState(new StateHandle(next++), 1);
        }

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> handles, ProposeRequest request)
        {
            var random = new Random(request.Seed);
            return handles.Select(handle =>
            {
                var (problem, depth) = states[handle.Id];
                var expert = task.Solve(problem);
                return (IReadOnlyList<StepProposal>)Enumerable.Range(0, request.Count).Select(_ =>
                {
                    var text = random.Next(2) == 0 ? expert[depth] : "Answer: 1 + 1 = 2";
                    states[next] = (problem, depth + 1);
                    return new StepProposal(text, -0.7, 1, 1, new StateHandle(next++));
                }).ToList();
            }).ToList();
        }

        public void Release(StateHandle handle) => states.Remove(handle.Id);
    }

    sealed class ByLastStep(Func<string, float> value) : IValueEstimator
    {
        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) =>
            states.Select(s => s.Steps.Count == 0 ? 0.5f : value(s.Steps[^1])).ToList();
    }
}
