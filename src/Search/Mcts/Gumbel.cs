namespace Reasoner.Search.Mcts;

/// <summary>
/// Gumbel root selection with Sequential Halving (Danihelka et al. 2022, "Policy improvement by planning with
/// Gumbel"), following mctx's <c>gumbel_muzero_root_action_selection</c>: each simulation visits the
/// best-scoring child among those whose visit count equals the schedule's next entry, so the budget is spent
/// exactly and the considered set halves phase by phase.
/// </summary>
internal static class Gumbel
{
    /// <summary>
    /// The visit count each simulation looks for (mctx's <c>get_sequence_of_considered_visits</c>): phases of
    /// max(1, n / (ceil(log2 m) * considered)) rounds over the considered actions, halving them down to 2.
    /// </summary>
    public static int[] ConsideredVisitSequence(int maxConsidered, int simulations)
    {
        if (maxConsidered <= 1) return Enumerable.Range(0, simulations).ToArray();
        var log2Max = (int)Math.Ceiling(Math.Log2(maxConsidered));
        var sequence = new List<int>(simulations + maxConsidered);
        var visits = new int[maxConsidered];
        var considered = maxConsidered;
        while (sequence.Count < simulations)
        {
            var extraVisits = Math.Max(1, simulations / (log2Max * considered));
            for (var round = 0; round < extraVisits; round++)
            {
                for (var i = 0; i < considered; i++) sequence.Add(visits[i]);
                for (var i = 0; i < considered; i++) visits[i]++;
            }
            considered = Math.Max(2, considered / 2);
        }
        return sequence.Take(simulations).ToArray();
    }

    /// <summary>Standard Gumbel(0, 1) samples: -log(-log u).</summary>
    public static float[] Sample(int count, Random random)
    {
        var g = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble();
            while (u <= 0) u = random.NextDouble();
            g[i] = (float)-Math.Log(-Math.Log(u));
        }
        return g;
    }

    /// <summary>
    /// The root child to simulate next: among children whose visits in this move equal
    /// <paramref name="consideredVisit"/>, the one maximising g + logits + sigma(completed q).
    /// <paramref name="baseVisits"/> are the children's visits before this move (a reused subtree), so the
    /// schedule counts this move's simulations only. Reads the tree only.
    /// </summary>
    public static int SelectRoot(SearchTree tree, int node, MctsConfig config, ReadOnlySpan<float> gumbel, ReadOnlySpan<int> baseVisits, int consideredVisit)
    {
        var start = tree.ChildStart[node];
        var count = tree.ChildCount[node];
        var scores = Scores(tree, node, config, gumbel);
        var best = -1;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < count; i++)
        {
            if (tree.Visits[start + i] - baseVisits[i] != consideredVisit) continue;
            if (scores[i] > bestScore) { bestScore = scores[i]; best = start + i; }
        }
        return best;
    }

    /// <summary>The move Gumbel MuZero takes: the best score among the children visited most in this move.</summary>
    public static int SelectMove(SearchTree tree, int node, MctsConfig config, ReadOnlySpan<float> gumbel, ReadOnlySpan<int> baseVisits)
    {
        var start = tree.ChildStart[node];
        var most = 0;
        for (var i = 0; i < tree.ChildCount[node]; i++) most = Math.Max(most, tree.Visits[start + i] - baseVisits[i]);
        return SelectRoot(tree, node, config, gumbel, baseVisits, most);
    }

    /// <summary>
    /// g + (logits - max logits) + sigma(completed q), floored at -1e9, as mctx does. The completed q are min-max
    /// rescaled over the children first (mctx's qtransform_completed_by_mix_value with rescale_values): the value
    /// model's scale says nothing of how far apart the children are, and without it sigma(q) is swamped by the
    /// Gumbel noise when the children's values are close.
    /// </summary>
    static float[] Scores(SearchTree tree, int node, MctsConfig config, ReadOnlySpan<float> gumbel)
    {
        var start = tree.ChildStart[node];
        var count = tree.ChildCount[node];
        var mixed = MixedValue(tree, node);
        var maxVisits = 0;
        var maxLogit = float.NegativeInfinity;
        var q = new float[count];
        for (var i = 0; i < count; i++)
        {
            var child = start + i;
            maxVisits = Math.Max(maxVisits, tree.Visits[child]);
            maxLogit = Math.Max(maxLogit, Logit(tree.Prior[child]));
            q[i] = tree.Visits[child] > 0 ? tree.ValueSum[child] / tree.Visits[child] : mixed;
        }
        var minQ = count > 0 ? q.Min() : 0f;
        var range = MathF.Max(count > 0 ? q.Max() - minQ : 0f, 1e-8f);
        var scale = (config.GumbelVisitInit + maxVisits) * config.GumbelValueScale;
        var scores = new float[count];
        for (var i = 0; i < count; i++)
            scores[i] = MathF.Max(-1e9f, gumbel[i] + Logit(tree.Prior[start + i]) - maxLogit + scale * (q[i] - minQ) / range);
        return scores;
    }

    static float Logit(float prior) => MathF.Log(MathF.Max(prior, float.Epsilon));

    /// <summary>
    /// The value completing unvisited children's q (mctx's <c>_compute_mixed_value</c>): the node's own estimate
    /// mixed with the prior-weighted mean q of its visited children, weighted by their visits.
    /// </summary>
    static float MixedValue(SearchTree tree, int node)
    {
        var start = tree.ChildStart[node];
        float sumVisits = 0, sumPriors = 0, weightedQ = 0;
        for (var i = 0; i < tree.ChildCount[node]; i++)
        {
            var child = start + i;
            if (tree.Visits[child] == 0) continue;
            sumVisits += tree.Visits[child];
            var prior = MathF.Max(tree.Prior[child], float.Epsilon);
            sumPriors += prior;
            weightedQ += prior * tree.ValueSum[child] / tree.Visits[child];
        }
        var own = float.IsNaN(tree.Value[node]) ? 0f : tree.Value[node];
        if (sumVisits == 0) return own;
        return (own + sumVisits * weightedQ / sumPriors) / (sumVisits + 1);
    }
}
