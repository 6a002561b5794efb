using Reasoner.Search.Mcts;

namespace Reasoner.Search.Tests;

public class MctsTests
{
    static readonly LineTask Task4 = new(maxSteps: 4);

    static SearchResult Run(MctsConfig config, int seed = 0, int width = 4, int depth = 4, SearchBudget? budget = null) =>
        SearchFactory.Create(config).Run(Task4, Scripts.Problem, new ScriptedProposer(Scripts.Uniform(width, depth)),
            new ScriptedValue(Scripts.PreferOnes), budget ?? SearchBudget.Unlimited, new Random(seed));

    [Fact]
    public void VisitCountsSumToTheSimulationsRun()
    {
        var result = Run(new MctsConfig(Simulations: 30));
        // At the first move every simulation passed through exactly one root child.
        Assert.Equal(30, result.VisitTargets[0].Visits.Sum());
        // Later moves reuse the chosen subtree: its earlier visits plus this move's simulations.
        Assert.All(result.VisitTargets, t => Assert.True(t.Visits.Sum() >= 30));
    }

    [Fact]
    public void EveryNodesValueIsTheMeanOfItsBackedUpValues()
    {
        foreach (var gumbel in new[] { false, true })
            foreach (var rollouts in new[] { false, true })
            {
                var tree = Run(new MctsConfig(Simulations: 40, Gumbel: gumbel, Rollouts: rollouts), seed: 3).Tree;
                var visited = 0;
                for (var n = 0; n < tree.Count; n++)
                {
                    if (tree.Visits[n] == 0) continue;
                    visited++;
                    var children = Enumerable.Range(Math.Max(0, tree.ChildStart[n]), tree.ChildCount[n]).ToList();
                    if (children.Count == 0)
                    {
                        // A finished leaf backs up its own value at every visit.
                        Assert.Equal(tree.Visits[n] * tree.Value[n], tree.ValueSum[n], 1e-3f);
                        continue;
                    }
                    // An expanded node: its own leaf evaluation once, then everything backed up through its children.
                    Assert.Equal(1 + children.Sum(c => tree.Visits[c]), tree.Visits[n]);
                    Assert.Equal(tree.Value[n] + children.Sum(c => tree.ValueSum[c]), tree.ValueSum[n], 1e-3f);
                }
                Assert.True(visited > 10);
            }
    }

    [Fact]
    public void EveryAnswerTheTreeReachedIsACandidateTheChosenFirst()
    {
        var result = Run(new MctsConfig(Simulations: 40), seed: 5, width: 3, depth: 2);
        var tree = result.Tree;
        var answers = Enumerable.Range(0, tree.Count).Where(n => tree.Kind[n] == NodeKind.Answer).ToList();
        Assert.True(answers.Count > 1);
        Assert.Equal(result.ChosenPath[^1], result.Candidates[0].Node);
        Assert.Equal(result.Completion, result.Candidates[0].Completion);
        Assert.Equal(answers.Order(), result.Candidates.Select(c => c.Node).Order());
        Assert.All(result.Candidates, c => Assert.Equal(string.Join("\n", tree.StepsTo(c.Node)), c.Completion));
    }

    [Fact]
    public void SameSeedGivesTheSameTreeAndAnotherSeedDoesNot()
    {
        var config = new MctsConfig(Simulations: 24, MoveTemperature: 1f);
        var a = Run(config, seed: 11);
        var b = Run(config, seed: 11);
        var c = Run(config, seed: 12);
        Assert.Equal(TreeFingerprint(a.Tree), TreeFingerprint(b.Tree));
        Assert.Equal(a.ChosenPath, b.ChosenPath);
        Assert.NotEqual(TreeFingerprint(a.Tree), TreeFingerprint(c.Tree));
    }

    internal static string TreeFingerprint(SearchTree tree) =>
        string.Join(";", Enumerable.Range(0, tree.Count).Select(n =>
            $"{tree.Parent[n]},{tree.Depth[n]},{tree.Step[n]},{tree.Kind[n]},{tree.Visits[n]},{tree.ValueSum[n]:R},{tree.Value[n]:R},{tree.Prior[n]:R},{tree.ChildStart[n]},{tree.ChildCount[n]}"));

    [Fact]
    public void VisitTargetsAreDistributionsOverTheDecidedNodesChildren()
    {
        var result = Run(new MctsConfig(Simulations: 16));
        Assert.Equal(Task4.MaxSteps(Scripts.Problem), result.VisitTargets.Count);
        for (var i = 0; i < result.VisitTargets.Count; i++)
        {
            var target = result.VisitTargets[i];
            Assert.Equal(result.ChosenPath[i], target.Node);
            Assert.Equal(1f, target.Probabilities.Sum(), 1e-5f);
            Assert.Equal(result.Tree.Step[result.ChosenPath[i + 1]], target.ChildSteps[target.Chosen]);
            // Temperature 0: the move taken is the most visited.
            Assert.Equal(target.Probabilities.Max(), target.Probabilities[target.Chosen]);
        }
    }

    [Fact]
    public void MctsFindsTheValuedPathThePolicyDoesNotPrefer()
    {
        var result = Run(new MctsConfig(Simulations: 64, DirichletFraction: 0));
        Assert.Equal("d0c1\nd1c1\nd2c1\nAnswer: 11", result.Completion);
    }

    [Fact]
    public void NormalisedQMakesPuctBlindToTheValueModelsScale()
    {
        SearchResult Scaled(float scale, float shift, bool normalize) =>
            SearchFactory.Create(new MctsConfig(Simulations: 64, DirichletFraction: 0, NormalizeQ: normalize)).Run(Task4, Scripts.Problem,
                new ScriptedProposer(Scripts.Uniform(4, 4)), new ScriptedValue(steps => shift + scale * Scripts.PreferOnes(steps)), SearchBudget.Unlimited, new Random(0));
        // Values squeezed into [0.30, 0.32]: PUCT's prior term swamps their differences and it follows the policy's favourite...
        Assert.NotEqual("d0c1\nd1c1\nd2c1\nAnswer: 11", Scaled(0.02f, 0.3f, normalize: false).Completion);
        // ...while with Q rescaled between a node's and its children's values it finds the valued path, visit for visit
        // as it does on the values as they were.
        var squeezed = Scaled(0.02f, 0.3f, normalize: true);
        var plain = Scaled(1f, 0f, normalize: true);
        Assert.Equal("d0c1\nd1c1\nd2c1\nAnswer: 11", squeezed.Completion);
        Assert.Equal(plain.VisitTargets.Select(t => t.Visits.ToArray()), squeezed.VisitTargets.Select(t => t.Visits.ToArray()));
    }

    [Fact]
    public void ConsideredVisitSequenceMatchesMctx()
    {
        // mctx seq_halving_test.test_considered_min_sims: m = 8, n = 8 * log2(8).
        int[] expected = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6];
        Assert.Equal(expected, Gumbel.ConsideredVisitSequence(8, 24));
        Assert.Equal([0, 1, 2, 3, 4], Gumbel.ConsideredVisitSequence(1, 5));
        foreach (var (m, n) in new[] { (2, 7), (4, 50), (16, 64), (5, 3) })
            Assert.Equal(n, Gumbel.ConsideredVisitSequence(m, n).Length);
    }

    [Fact]
    public void GumbelSequentialHalvingSpendsExactlyItsBudgetPhaseByPhase()
    {
        // Greedy proposals give the root 8 distinct candidates.
        var result = Run(new MctsConfig(Simulations: 24, Candidates: 8, ProposalTemperature: 0, Gumbel: true, GumbelConsidered: 8), width: 8, depth: 4);
        var visits = result.VisitTargets[0].Visits.OrderDescending().ToArray();
        // 8 considered, then 4, then 2: the last two got 1 + 2 + 4 visits, the next two 1 + 2, the rest 1.
        Assert.Equal([7, 7, 3, 3, 1, 1, 1, 1], visits);
        Assert.Equal(24, visits.Sum());
    }

    [Fact]
    public void DirichletNoiseIsANormalisedSampleAndGammaHasItsMean()
    {
        var random = new Random(5);
        var noise = Dirichlet.Sample(6, 0.3, random);
        Assert.Equal(1f, noise.Sum(), 1e-5f);
        Assert.All(noise, x => Assert.InRange(x, 0f, 1f));
        foreach (var shape in new[] { 0.3, 1.0, 2.5 })
        {
            var mean = Enumerable.Range(0, 20000).Average(_ => Dirichlet.Gamma(shape, random));
            Assert.Equal(shape, mean, 0.05 * shape + 0.02);
        }
    }

    [Fact]
    public void GoldenTreeOfASmallFixedSeedSearch()
    {
        var result = Run(new MctsConfig(Simulations: 8, Candidates: 3, DirichletAlpha: 0.5f), seed: 42, width: 3, depth: 3);
        var tree = result.Tree;
        var visits = string.Join(",", Enumerable.Range(0, tree.Count).Select(n => tree.Visits[n]));
        var parents = string.Join(",", Enumerable.Range(0, tree.Count).Select(n => tree.Parent[n]));
        var steps = string.Join(",", Enumerable.Range(0, tree.Count).Select(n => tree.Step[n]));
        Assert.Equal(GoldenVisits, visits);
        Assert.Equal(GoldenParents, parents);
        Assert.Equal(GoldenSteps, steps);
        Assert.Equal(GoldenCompletion, result.Completion);
    }

    // Recorded from this search; 8 simulations for each of the 3 moves, plus the root's own evaluation.
    const string GoldenVisits = "25,2,22,17,4,0,1,5,3,8,0,1,2,0,0";
    const string GoldenParents = "-1,0,0,2,2,1,1,3,3,3,4,4,4,6,6";
    const string GoldenSteps = ",d0c2,d0c0,d1c1,d1c2,d1c1,d1c0,Answer: 10,Answer: 12,Answer: 11,Answer: 22,Answer: 20,Answer: 21,Answer: 01,Answer: 00";
    const string GoldenCompletion = "d0c0\nd1c1\nAnswer: 11";
}
