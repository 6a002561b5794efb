namespace Reasoner.Search.Mcts;

/// <summary>PUCT selection (Silver et al. 2017, AlphaZero).</summary>
internal static class Puct
{
    /// <summary>
    /// The child of <paramref name="node"/> maximising Q(c) + c_puct P(c) sqrt(N(node)) / (1 + N(c)), where
    /// <paramref name="priors"/> are P over the node's children in order. An unvisited child's Q is the node's
    /// own mean value (first-play urgency without reduction), so on values in [0, 1] neither 0 nor 1 biases it.
    /// Ties go to the lower index, so selection is deterministic. Reads the tree only. With
    /// <see cref="MctsConfig.NormalizeQ"/>, each Q is first rescaled to [0, 1] between the lowest and highest of the
    /// node's mean value and its visited children's Q (all equal: every Q reads 0.5).
    /// </summary>
    public static int Select(SearchTree tree, int node, MctsConfig config, ReadOnlySpan<float> priors)
    {
        var start = tree.ChildStart[node];
        var count = tree.ChildCount[node];
        var sqrtParent = MathF.Sqrt(tree.Visits[node]);
        var firstPlay = tree.MeanValue(node) ?? 0f;
        float low = firstPlay, high = firstPlay;
        if (config.NormalizeQ)
            for (var i = 0; i < count; i++)
                if (tree.Visits[start + i] > 0)
                {
                    var q = tree.ValueSum[start + i] / tree.Visits[start + i];
                    low = MathF.Min(low, q);
                    high = MathF.Max(high, q);
                }
        var best = -1;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < count; i++)
        {
            var child = start + i;
            var visits = tree.Visits[child];
            var q = visits > 0 ? tree.ValueSum[child] / visits : firstPlay;
            if (config.NormalizeQ) q = high > low ? (q - low) / (high - low) : 0.5f;
            var score = q + config.CPuct * priors[i] * sqrtParent / (1 + visits);
            if (score > bestScore) { bestScore = score; best = child; }
        }
        return best;
    }
}
