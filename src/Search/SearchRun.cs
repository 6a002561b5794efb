using System.Diagnostics;
using Reasoner.Rewards;

namespace Reasoner.Search;

/// <summary>
/// One search in progress: the tree, the compute meter and the only doors to the proposer and the value
/// model. Every algorithm goes through it, so budgets, handle releases and counts are kept in one place.
/// </summary>
internal sealed class SearchRun
{
    readonly IStepProposer proposer;
    readonly IValueEstimator valueModel;
    readonly Stopwatch clock = Stopwatch.StartNew();
    long generatedTokens, forwardTokens, valueEvaluations;
    int proposerCalls, valueCalls;

    SearchRun(ITask task, Problem problem, IStepProposer proposer, IValueEstimator valueModel, SearchBudget budget, Random random)
    {
        Task = task;
        Problem = problem;
        this.proposer = proposer;
        this.valueModel = valueModel;
        Budget = budget;
        Random = random;
        MaxSteps = task.MaxSteps(problem);
        if (budget.MaxStepTokens < 1) throw new ArgumentException($"MaxStepTokens must be at least 1, not {budget.MaxStepTokens}.", nameof(budget));
    }

    public ITask Task { get; }
    public Problem Problem { get; }
    public SearchBudget Budget { get; }
    public Random Random { get; }
    public SearchTree Tree { get; } = new();
    /// <summary>The task's step limit for this problem, answer line included: nodes this deep are finished.</summary>
    public int MaxSteps { get; }

    public static SearchRun Start(ITask task, Problem problem, IStepProposer proposer, IValueEstimator valueModel, SearchBudget budget, Random random)
    {
        var run = new SearchRun(task, problem, proposer, valueModel, budget, random);
        var root = proposer.Begin(problem, task.Prompt(problem));
        run.forwardTokens += root.ForwardTokens;
        run.Tree.AddRoot(root.Handle);
        return run;
    }

    public bool OutOfTime => Budget.MaxWallTime is { } limit && clock.Elapsed >= limit;

    /// <summary>How many more proposals fit the token and node budgets if each is <c>MaxStepTokens</c> long.</summary>
    public long AffordableProposals()
    {
        if (OutOfTime) return 0;
        var affordable = long.MaxValue;
        if (Budget.MaxGeneratedTokens is { } g) affordable = Math.Min(affordable, (g - generatedTokens) / Budget.MaxStepTokens);
        if (Budget.MaxForwardTokens is { } f) affordable = Math.Min(affordable, (f - forwardTokens) / Budget.MaxStepTokens);
        if (Budget.MaxNodes is { } n) affordable = Math.Min(affordable, n - Tree.Count);
        return Math.Max(0, affordable);
    }

    /// <summary>How many more states the value model may evaluate.</summary>
    public long AffordableEvaluations()
    {
        if (OutOfTime) return 0;
        return Budget.MaxValueEvaluations is { } v ? Math.Max(0, v - valueEvaluations) : long.MaxValue;
    }

    /// <summary>Proposes for raw handles without adding nodes (rollouts); counts the compute.</summary>
    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, int count, float temperature)
    {
        var request = new ProposeRequest(count, temperature, Budget.MaxStepTokens, Random.Next());
        var proposals = proposer.Propose(states, request);
        proposerCalls++;
        if (proposals.Count != states.Count)
            throw new InvalidOperationException($"The proposer answered {proposals.Count} lists for {states.Count} states.");
        foreach (var list in proposals)
        {
            if (list.Count > count) throw new InvalidOperationException($"The proposer returned {list.Count} proposals, more than the {count} asked.");
            foreach (var p in list)
            {
                if (p.GeneratedTokens > Budget.MaxStepTokens || p.ForwardTokens > Budget.MaxStepTokens)
                    throw new InvalidOperationException($"A proposal of {p.GeneratedTokens} generated / {p.ForwardTokens} forward tokens exceeds MaxStepTokens {Budget.MaxStepTokens}.");
                generatedTokens += p.GeneratedTokens;
                forwardTokens += p.ForwardTokens;
            }
        }
        return proposals;
    }

    /// <summary>
    /// Expands each node with up to <paramref name="count"/> proposals in one proposer call. With
    /// <paramref name="distinct"/>, repeated step texts are merged (their extra handles released at once), as
    /// Tree of Thoughts' "propose" does. Priors are the proposals' probabilities normalised over the node's children.
    /// </summary>
    public void Expand(IReadOnlyList<int> nodes, int count, float temperature, bool distinct)
    {
        if (nodes.Count == 0) return;
        var handles = new StateHandle[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) handles[i] = Tree.Handle[nodes[i]];
        var proposals = Propose(handles, count, temperature);
        for (var i = 0; i < nodes.Count; i++)
        {
            var kept = new List<StepProposal>(proposals[i].Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in proposals[i])
            {
                if (!distinct || seen.Add(p.Text)) kept.Add(p);
                else proposer.Release(p.Child);
            }
            var childDepth = Tree.Depth[nodes[i]] + 1;
            var kinds = new NodeKind[kept.Count];
            for (var c = 0; c < kept.Count; c++) kinds[c] = KindOf(kept[c], childDepth);
            Tree.Expand(nodes[i], kept, kinds, Priors(kept));
        }
    }

    NodeKind KindOf(StepProposal proposal, int depth) =>
        Task.IsAnswerLine(proposal.Text) ? NodeKind.Answer
        : proposal.EndOfText || depth >= MaxSteps ? NodeKind.DeadEnd
        : NodeKind.Open;

    /// <summary>exp(logProb) normalised over the candidates (a softmax of their log-probabilities).</summary>
    internal static float[] Priors(IReadOnlyList<StepProposal> proposals)
    {
        var priors = new float[proposals.Count];
        if (priors.Length == 0) return priors;
        var max = proposals.Max(p => p.LogProb);
        double sum = 0;
        for (var i = 0; i < priors.Length; i++) sum += Math.Exp(proposals[i].LogProb - max);
        for (var i = 0; i < priors.Length; i++) priors[i] = (float)(Math.Exp(proposals[i].LogProb - max) / sum);
        return priors;
    }

    /// <summary>
    /// Asks the value model, in one call, for every node of <paramref name="nodes"/> not yet evaluated.
    /// A dead end is worth 0 without asking: it ends without an answer. Call only when affordable.
    /// </summary>
    public void Evaluate(IReadOnlyList<int> nodes)
    {
        var ask = new List<int>(nodes.Count);
        var asked = new HashSet<int>();
        foreach (var node in nodes)
        {
            if (!float.IsNaN(Tree.Value[node]) || !asked.Add(node)) continue;
            if (Tree.Kind[node] == NodeKind.DeadEnd) Tree.SetValue(node, 0);
            else ask.Add(node);
        }
        if (ask.Count == 0) return;
        var states = ask.Select(n => new NodeState(Tree.Handle[n], Tree.StepsTo(n))).ToList();
        var values = EvaluateStates(states);
        for (var i = 0; i < ask.Count; i++) Tree.SetValue(ask[i], values[i]);
    }

    /// <summary>How many of these nodes <see cref="Evaluate"/> would ask the value model about.</summary>
    public int EvaluationsNeeded(IReadOnlyList<int> nodes) =>
        nodes.Distinct().Count(n => float.IsNaN(Tree.Value[n]) && Tree.Kind[n] != NodeKind.DeadEnd);

    public IReadOnlyList<float> EvaluateStates(IReadOnlyList<NodeState> states)
    {
        var values = valueModel.Evaluate(Problem, states);
        valueCalls++;
        valueEvaluations += states.Count;
        if (values.Count != states.Count)
            throw new InvalidOperationException($"The value model answered {values.Count} values for {states.Count} states.");
        foreach (var v in values)
            if (!(v >= 0 && v <= 1)) throw new InvalidOperationException($"The value model answered {v}, outside [0, 1].");
        return values;
    }

    public void ReleaseHandle(StateHandle handle) => proposer.Release(handle);

    /// <summary>Frees a node's proposer state (once; later calls do nothing).</summary>
    public void Release(int node)
    {
        if (Tree.MarkReleased(node)) proposer.Release(Tree.Handle[node]);
    }

    /// <summary>Frees the states of a node and all its descendants.</summary>
    public void ReleaseSubtree(int node)
    {
        var stack = new Stack<int>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            Release(n);
            for (var c = 0; c < Tree.ChildCount[n]; c++) stack.Push(Tree.ChildStart[n] + c);
        }
    }

    public string CompletionOf(int node) => string.Join("\n", Tree.StepsTo(node));

    public Candidate CandidateOf(int node, double score)
    {
        var completion = CompletionOf(node);
        return new Candidate(node, completion, Task.Parse(completion).Answer, score);
    }

    public ComputeSpent Spent() =>
        new(generatedTokens, forwardTokens, proposerCalls, valueCalls, valueEvaluations, Tree.Count, clock.Elapsed);

    /// <summary>Releases every state still held and packs the result around the chosen node.</summary>
    public SearchResult Finish(string method, int chosen, IReadOnlyList<Candidate> candidates, IReadOnlyList<VisitTarget>? visitTargets = null)
    {
        ReleaseSubtree(SearchTree.Root);
        var completion = CompletionOf(chosen);
        return new SearchResult(method, completion, Task.Parse(completion).Answer, Tree.PathTo(chosen), candidates,
            Spent(), Tree, visitTargets ?? []);
    }
}
