using Reasoner.Rewards;

namespace Reasoner.Search.Mcts;

/// <summary>
/// MCTS over steps sampled from the policy, AlphaZero style: from the current node run
/// <c>Simulations</c> simulations (select by PUCT or Gumbel at the root, expand a leaf by sampling
/// candidate steps, evaluate it with the value model, back the value up), then commit to a move chosen
/// from the visit counts, keep its subtree, record the visit distribution, and repeat until a finished
/// node. A simulation is select (read-only), expand and backup; only the last two write to the tree. The candidates are
/// the chosen answer and every other answer the tree reached.
/// </summary>
internal sealed class MctsSearch(MctsConfig config) : ISearch
{
    public string Name => "mcts";

    public SearchResult Run(ITask task, Problem problem, IStepProposer proposer, IValueEstimator value, SearchBudget budget, Random random)
    {
        var run = SearchRun.Start(task, problem, proposer, value, budget, random);
        var tree = run.Tree;
        var targets = new List<VisitTarget>();
        var node = SearchTree.Root;
        while (tree.Kind[node] == NodeKind.Open)
        {
            if (!tree.IsExpanded(node))
            {
                if (!CanSimulate(run)) break;
                tree.Backup(node, ExpandLeaf(run, node));
                if (tree.Kind[node] != NodeKind.Open) break;
            }
            var move = new Move(run, node, config);
            var simulations = 0;
            while (simulations < config.Simulations && CanSimulate(run)) Simulate(run, move, simulations++);
            if (simulations == 0) break;
            var chosen = ChooseMove(tree, move, random);
            targets.Add(Target(tree, node, chosen));
            for (var c = 0; c < tree.ChildCount[node]; c++)
                if (tree.ChildStart[node] + c != chosen) run.ReleaseSubtree(tree.ChildStart[node] + c);
            node = chosen;
        }
        // Out of budget before a finished node: follow the most visited children the tree already has.
        while (tree.Kind[node] == NodeKind.Open && tree.ChildCount[node] > 0) node = MostVisited(tree, node);
        // Every answer the simulations reached is a candidate, the chosen one first: expert iteration learns each verified
        // one and the value each one's outcome, instead of throwing away all but the path played.
        var candidates = new List<Candidate> { run.CandidateOf(node, Score(tree, node)) };
        for (var n = 0; n < tree.Count; n++)
            if (n != node && tree.Kind[n] == NodeKind.Answer) candidates.Add(run.CandidateOf(n, Score(tree, n)));
        return run.Finish(Name, node, candidates, targets);
    }

    static double Score(SearchTree tree, int node) => tree.MeanValue(node) ?? (float.IsNaN(tree.Value[node]) ? double.NaN : tree.Value[node]);

    /// <summary>The search root of one move: its root priors (with noise) or its Gumbel draws.</summary>
    sealed class Move
    {
        public Move(SearchRun run, int node, MctsConfig config)
        {
            var tree = run.Tree;
            Node = node;
            var start = tree.ChildStart[node];
            var count = tree.ChildCount[node];
            Priors = tree.Prior.Slice(start, count).ToArray();
            BaseVisits = tree.Visits.Slice(start, count).ToArray();
            if (config.Gumbel)
            {
                Gumbels = Gumbel.Sample(count, run.Random);
                Schedule = Gumbel.ConsideredVisitSequence(Math.Min(config.GumbelConsidered, count), config.Simulations);
            }
            else if (config.DirichletFraction > 0 && count > 1)
            {
                var noise = Dirichlet.Sample(count, config.DirichletAlpha, run.Random);
                for (var i = 0; i < count; i++) Priors[i] = (1 - config.DirichletFraction) * Priors[i] + config.DirichletFraction * noise[i];
            }
        }

        public int Node { get; }
        public float[] Priors { get; }
        public int[] BaseVisits { get; }
        public float[]? Gumbels { get; }
        public int[]? Schedule { get; }
    }

    /// <summary>A simulation's worst case fits: one expansion, one value call, and a rollout's steps.</summary>
    bool CanSimulate(SearchRun run) =>
        run.AffordableProposals() >= config.Candidates + (config.Rollouts ? run.MaxSteps : 0)
        && run.AffordableEvaluations() >= 1;

    void Simulate(SearchRun run, Move move, int simulation)
    {
        var tree = run.Tree;
        var node = move.Node;
        float leafValue;
        while (true)
        {
            if (tree.Kind[node] == NodeKind.Answer || tree.Kind[node] == NodeKind.DeadEnd)
            {
                run.Evaluate([node]);
                leafValue = tree.Value[node];
                break;
            }
            if (!tree.IsExpanded(node))
            {
                leafValue = ExpandLeaf(run, node);
                break;
            }
            node = node == move.Node
                ? move.Gumbels is { } g
                    ? Gumbel.SelectRoot(tree, node, config, g, move.BaseVisits, move.Schedule![simulation])
                    : Puct.Select(tree, node, config, move.Priors)
                : Puct.Select(tree, node, config, tree.Prior.Slice(tree.ChildStart[node], tree.ChildCount[node]));
        }
        tree.Backup(node, leafValue);
    }

    /// <summary>
    /// Samples the leaf's candidate steps (its children, priors from their probabilities), evaluates the leaf
    /// (or the end of a rollout from it), frees its proposer state and returns the value to back up.
    /// </summary>
    float ExpandLeaf(SearchRun run, int node)
    {
        var tree = run.Tree;
        run.Expand([node], config.Candidates, config.ProposalTemperature, distinct: true);
        if (tree.Kind[node] == NodeKind.DeadEnd)
        {
            run.Evaluate([node]);
        }
        else if (config.Rollouts)
        {
            tree.SetValue(node, Rollout(run, node));
        }
        else
        {
            run.Evaluate([node]);
        }
        run.Release(node);
        return tree.Value[node];
    }

    /// <summary>
    /// Steps from the node to an answer line (or the step limit) without growing the tree; the value model
    /// scores the finished state, and a trajectory that ends without an answer scores 0.
    /// </summary>
    float Rollout(SearchRun run, int node)
    {
        var tree = run.Tree;
        var steps = tree.StepsTo(node).ToList();
        var state = tree.Handle[node];
        var owned = false;
        var value = 0f;
        while (steps.Count < run.MaxSteps)
        {
            var proposals = run.Propose([state], 1, config.RolloutTemperature)[0];
            if (owned) run.ReleaseHandle(state);
            owned = false;
            if (proposals.Count == 0) break;
            var step = proposals[0];
            steps.Add(step.Text);
            state = step.Child;
            owned = true;
            if (run.Task.IsAnswerLine(step.Text))
            {
                value = run.EvaluateStates([new NodeState(state, steps)])[0];
                break;
            }
            if (step.EndOfText) break;
        }
        if (owned) run.ReleaseHandle(state);
        return value;
    }

    int ChooseMove(SearchTree tree, Move move, Random random)
    {
        if (move.Gumbels is { } g) return Gumbel.SelectMove(tree, move.Node, config, g, move.BaseVisits);
        var start = tree.ChildStart[move.Node];
        var count = tree.ChildCount[move.Node];
        if (config.MoveTemperature <= 0) return MostVisited(tree, move.Node);
        // p(c) proportional to N(c)^(1/T), computed relative to the most visited child to stay finite.
        var most = tree.Visits[MostVisited(tree, move.Node)];
        var weights = new double[count];
        double sum = 0;
        for (var i = 0; i < count; i++) sum += weights[i] = Math.Pow((double)tree.Visits[start + i] / most, 1 / config.MoveTemperature);
        var u = random.NextDouble() * sum;
        for (var i = 0; i < count; i++)
        {
            u -= weights[i];
            if (u < 0 && weights[i] > 0) return start + i;
        }
        return MostVisited(tree, move.Node);
    }

    /// <summary>The most visited child; ties go to the higher prior, then the lower index.</summary>
    static int MostVisited(SearchTree tree, int node)
    {
        var start = tree.ChildStart[node];
        var best = start;
        for (var c = start + 1; c < start + tree.ChildCount[node]; c++)
            if (tree.Visits[c] > tree.Visits[best] || (tree.Visits[c] == tree.Visits[best] && tree.Prior[c] > tree.Prior[best])) best = c;
        return best;
    }

    static VisitTarget Target(SearchTree tree, int node, int chosen)
    {
        var start = tree.ChildStart[node];
        var count = tree.ChildCount[node];
        var total = 0;
        for (var i = 0; i < count; i++) total += tree.Visits[start + i];
        var steps = new string[count];
        var visits = tree.Visits.Slice(start, count).ToArray();
        var probabilities = new float[count];
        for (var i = 0; i < count; i++)
        {
            steps[i] = tree.Step[start + i];
            probabilities[i] = total > 0 ? (float)tree.Visits[start + i] / total : 1f / count;
        }
        return new VisitTarget(node, tree.StepsTo(node), steps, visits, probabilities, chosen - start);
    }
}
