namespace Reasoner.Search;

/// <summary>What a node is: a state that can still grow, a finished answer, or a dead end.</summary>
public enum NodeKind : byte
{
    /// <summary>More steps can follow.</summary>
    Open,
    /// <summary>Its step is an answer line: the trajectory is finished.</summary>
    Answer,
    /// <summary>No step can follow and there is no answer: end of text, the task's step limit, or no proposal.</summary>
    DeadEnd,
}

/// <summary>
/// The tree of one search as a struct of arrays (as mctx's <c>Tree</c>): node i's fields are at index i of
/// each array. Node <see cref="Root"/> is the prompt; node i &gt; 0 is its parent's state plus the step
/// <c>Step[i]</c>. A node's children are added all at once by <see cref="Expand"/>, so they are the
/// contiguous range <c>ChildStart[i] .. ChildStart[i] + ChildCount[i]</c>.
/// Only <see cref="Expand"/>, <see cref="SetValue"/> and <see cref="Backup"/> write statistics; the
/// selection rules read it.
/// </summary>
public sealed class SearchTree
{
    public const int Root = 0;
    public const int NoParent = -1;
    /// <summary>ChildStart of a node never expanded.</summary>
    public const int NotExpanded = -1;
    /// <summary>Value of a node the value model has not evaluated.</summary>
    public const float Unevaluated = float.NaN;

    int[] parent, depth, visits, childStart, childCount;
    float[] valueSum, value, prior;
    double[] logProb, cumulativeLogProb;
    string[] step;
    StateHandle[] handle;
    bool[] handleLive;
    NodeKind[] kind;

    internal SearchTree(int capacity = 64)
    {
        capacity = Math.Max(1, capacity);
        parent = new int[capacity]; depth = new int[capacity]; visits = new int[capacity];
        childStart = new int[capacity]; childCount = new int[capacity];
        valueSum = new float[capacity]; value = new float[capacity]; prior = new float[capacity];
        logProb = new double[capacity]; cumulativeLogProb = new double[capacity];
        step = new string[capacity]; handle = new StateHandle[capacity]; handleLive = new bool[capacity];
        kind = new NodeKind[capacity];
    }

    /// <summary>Nodes in the tree.</summary>
    public int Count { get; private set; }

    /// <summary>[N] parent node, <see cref="NoParent"/> for the root.</summary>
    public ReadOnlySpan<int> Parent => parent.AsSpan(0, Count);
    /// <summary>[N] steps from the root (the root is 0).</summary>
    public ReadOnlySpan<int> Depth => depth.AsSpan(0, Count);
    /// <summary>[N] backed-up visits (MCTS); 0 for searches that do not back up.</summary>
    public ReadOnlySpan<int> Visits => visits.AsSpan(0, Count);
    /// <summary>[N] sum of backed-up values; the node's mean value is ValueSum / Visits.</summary>
    public ReadOnlySpan<float> ValueSum => valueSum.AsSpan(0, Count);
    /// <summary>[N] the value model's estimate of the node itself, <see cref="Unevaluated"/> if never asked.</summary>
    public ReadOnlySpan<float> Value => value.AsSpan(0, Count);
    /// <summary>[N] prior of the node among its siblings (normalised policy probability); 0 for the root.</summary>
    public ReadOnlySpan<float> Prior => prior.AsSpan(0, Count);
    /// <summary>[N] log-probability of the node's step under the policy.</summary>
    public ReadOnlySpan<double> LogProb => logProb.AsSpan(0, Count);
    /// <summary>[N] log-probability of the whole path from the root.</summary>
    public ReadOnlySpan<double> CumulativeLogProb => cumulativeLogProb.AsSpan(0, Count);
    /// <summary>[N] first child, <see cref="NotExpanded"/> before expansion.</summary>
    public ReadOnlySpan<int> ChildStart => childStart.AsSpan(0, Count);
    /// <summary>[N] number of children (0 before expansion or when nothing was proposed).</summary>
    public ReadOnlySpan<int> ChildCount => childCount.AsSpan(0, Count);
    /// <summary>[N] the node's step text ("" for the root).</summary>
    public ReadOnlySpan<string> Step => step.AsSpan(0, Count);
    /// <summary>[N] the proposer's state of each node.</summary>
    public ReadOnlySpan<StateHandle> Handle => handle.AsSpan(0, Count);
    /// <summary>[N] whether the node's handle is still held (not yet released to the proposer).</summary>
    public ReadOnlySpan<bool> HandleLive => handleLive.AsSpan(0, Count);
    /// <summary>[N] open, answer or dead end.</summary>
    public ReadOnlySpan<NodeKind> Kind => kind.AsSpan(0, Count);

    public bool IsExpanded(int node) => childStart[node] != NotExpanded;

    /// <summary>The mean backed-up value, or null for a node never visited.</summary>
    public float? MeanValue(int node) => visits[node] == 0 ? null : valueSum[node] / visits[node];

    /// <summary>The steps from the root to <paramref name="node"/>, in order.</summary>
    public IReadOnlyList<string> StepsTo(int node)
    {
        var steps = new List<string>(depth[node]);
        for (var n = node; n != Root; n = parent[n]) steps.Add(step[n]);
        steps.Reverse();
        return steps;
    }

    /// <summary>The node indices from the root to <paramref name="node"/>, root first.</summary>
    public IReadOnlyList<int> PathTo(int node)
    {
        var path = new List<int>(depth[node] + 1);
        for (var n = node; n != NoParent; n = parent[n]) path.Add(n);
        path.Reverse();
        return path;
    }

    internal int AddRoot(StateHandle rootHandle)
    {
        if (Count != 0) throw new InvalidOperationException("The tree already has a root.");
        Append(NoParent, "", 0, 0, rootHandle, NodeKind.Open, depthOfNode: 0);
        return Root;
    }

    /// <summary>
    /// Adds the children of <paramref name="node"/> (once per node), with their priors; a node given no
    /// children becomes a dead end. Returns the first child's index.
    /// </summary>
    internal int Expand(int node, IReadOnlyList<StepProposal> proposals, IReadOnlyList<NodeKind> kinds, ReadOnlySpan<float> priors)
    {
        if (IsExpanded(node)) throw new InvalidOperationException($"Node {node} is already expanded.");
        if (kind[node] != NodeKind.Open) throw new InvalidOperationException($"Node {node} is {kind[node]}, not open.");
        var first = Count;
        for (var i = 0; i < proposals.Count; i++)
            Append(node, proposals[i].Text, priors[i], proposals[i].LogProb, proposals[i].Child, kinds[i], depth[node] + 1);
        childStart[node] = first;
        childCount[node] = proposals.Count;
        if (proposals.Count == 0) kind[node] = NodeKind.DeadEnd;
        return first;
    }

    /// <summary>Records the value model's estimate of a node.</summary>
    internal void SetValue(int node, float estimate) => value[node] = estimate;

    /// <summary>Adds one visit and <paramref name="backedUpValue"/> to the node and each of its ancestors.</summary>
    internal void Backup(int node, float backedUpValue)
    {
        for (var n = node; n != NoParent; n = parent[n])
        {
            visits[n]++;
            valueSum[n] += backedUpValue;
        }
    }

    /// <summary>Marks a handle released; returns false when it already was.</summary>
    internal bool MarkReleased(int node)
    {
        if (!handleLive[node]) return false;
        handleLive[node] = false;
        return true;
    }

    void Append(int parentNode, string text, float priorOfNode, double logProbOfStep, StateHandle state, NodeKind nodeKind, int depthOfNode)
    {
        if (Count == parent.Length) Grow(parent.Length * 2);
        var n = Count++;
        parent[n] = parentNode;
        depth[n] = depthOfNode;
        visits[n] = 0;
        valueSum[n] = 0;
        value[n] = Unevaluated;
        prior[n] = priorOfNode;
        logProb[n] = logProbOfStep;
        cumulativeLogProb[n] = parentNode == NoParent ? 0 : cumulativeLogProb[parentNode] + logProbOfStep;
        childStart[n] = NotExpanded;
        childCount[n] = 0;
        step[n] = text;
        handle[n] = state;
        handleLive[n] = true;
        kind[n] = nodeKind;
    }

    void Grow(int capacity)
    {
        Array.Resize(ref parent, capacity); Array.Resize(ref depth, capacity); Array.Resize(ref visits, capacity);
        Array.Resize(ref childStart, capacity); Array.Resize(ref childCount, capacity);
        Array.Resize(ref valueSum, capacity); Array.Resize(ref value, capacity); Array.Resize(ref prior, capacity);
        Array.Resize(ref logProb, capacity); Array.Resize(ref cumulativeLogProb, capacity);
        Array.Resize(ref step, capacity); Array.Resize(ref handle, capacity); Array.Resize(ref handleLive, capacity);
        Array.Resize(ref kind, capacity);
    }
}
