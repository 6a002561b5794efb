using Reasoner.Rewards;
using Reasoner.Rewards.Countdown;

namespace Reasoner.Search.Tests;

/// <summary>An exact fraction, reduced, positive denominator: enough arithmetic to enumerate Countdown steps.</summary>
internal readonly record struct Fraction(long Numerator, long Denominator) : IComparable<Fraction>
{
    public static Fraction Of(long numerator, long denominator)
    {
        if (denominator < 0) (numerator, denominator) = (-numerator, -denominator);
        var gcd = (long)System.Numerics.BigInteger.GreatestCommonDivisor(numerator, denominator);
        return new Fraction(numerator / gcd, denominator / gcd);
    }

    public static Fraction? Apply(char op, Fraction a, Fraction b) => op switch
    {
        '+' => Of(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator),
        '-' => Of(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator),
        '*' => Of(a.Numerator * b.Numerator, a.Denominator * b.Denominator),
        '/' => b.Numerator == 0 ? null : Of(a.Numerator * b.Denominator, a.Denominator * b.Numerator),
        _ => null,
    };

    public int CompareTo(Fraction other) => (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);

    public override string ToString() => Denominator == 1 ? $"{Numerator}" : $"{Numerator}/{Denominator}";
}

/// <summary>
/// The oracle policy for Countdown in its Tree-of-Thoughts step form: every legal step "a op b = r (left: ...)"
/// (pairs of the ascending numbers left, as the task's expert enumerates them), each with the same log-probability,
/// and once one number is left, the answer line built from the steps. Greedy returns the first steps in that
/// order; a temperature samples them uniformly.
/// </summary>
internal sealed class CountdownOracle : IStepProposer
{
    /// <summary>A number left and the expression that made it.</summary>
    internal sealed record Item(Fraction Value, string Expression);

    readonly Dictionary<long, IReadOnlyList<Item>> live = [];
    long nextId;

    public int Live => live.Count;

    public RootState Begin(Problem problem, string prompt)
    {
        var numbers = ((CountdownProblem)problem).Numbers;
        live[nextId] = numbers.Order().Select(n => new Item(Fraction.Of(n, 1), $"{n}")).ToList();
        return new RootState(new StateHandle(nextId++), prompt.Length);
    }

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
    {
        var random = new Random(request.Seed);
        var result = new List<IReadOnlyList<StepProposal>>();
        foreach (var state in states)
        {
            var moves = Moves(live[state.Id]);
            IEnumerable<(string Text, IReadOnlyList<Item> Next)> picks = request.Temperature <= 0
                ? moves.Take(request.Count)
                : moves.Count == 0 ? [] : Enumerable.Range(0, request.Count).Select(_ => moves[random.Next(moves.Count)]);
            result.Add(picks.Select(m =>
            {
                live[nextId] = m.Next;
                var tokens = Math.Min(m.Text.Length + 1, request.MaxStepTokens);
                return new StepProposal(m.Text, -Math.Log(moves.Count), tokens, tokens, new StateHandle(nextId++));
            }).ToList());
        }
        return result;
    }

    public void Release(StateHandle state)
    {
        if (!live.Remove(state.Id)) throw new InvalidOperationException($"Handle {state.Id} released twice.");
    }

    /// <summary>Every next line from a state: steps while two or more numbers are left, then the answer line.</summary>
    internal static List<(string Text, IReadOnlyList<Item> Next)> Moves(IReadOnlyList<Item> items)
    {
        var moves = new List<(string, IReadOnlyList<Item>)>();
        if (items.Count == 0) return moves;
        if (items.Count == 1)
        {
            moves.Add(($"Answer: {items[0].Expression} = {items[0].Value}", []));
            return moves;
        }
        for (var i = 0; i < items.Count; i++)
            for (var j = i + 1; j < items.Count; j++)
            {
                var (small, large) = (items[i], items[j]);
                var candidates = new List<(Item, char, Item)> { (small, '+', large), (small, '*', large), (large, '-', small), (large, '/', small) };
                if (small.Value != large.Value) candidates.Add((small, '/', large));
                foreach (var (left, op, right) in candidates)
                {
                    if (Fraction.Apply(op, left.Value, right.Value) is not { } value || value.Numerator < 0) continue;
                    var rest = items.Where((_, k) => k != i && k != j).Append(new Item(value, $"({left.Expression} {op} {right.Expression})"))
                        .OrderBy(x => x.Value).ToList();
                    moves.Add(($"{left.Value} {op} {right.Value} = {value} (left: {string.Join(' ', rest.Select(x => x.Value))})", rest));
                }
            }
        return moves;
    }

    /// <summary>The numbers left after a prefix of steps, replayed from the problem.</summary>
    internal static IReadOnlyList<Item> Replay(CountdownProblem problem, IReadOnlyList<string> steps)
    {
        IReadOnlyList<Item> items = problem.Numbers.Order().Select(n => new Item(Fraction.Of(n, 1), $"{n}")).ToList();
        foreach (var step in steps) items = Moves(items).First(m => m.Text == step).Next;
        return items;
    }
}

/// <summary>Exact oracle value: 1 when the target can still be reached from the numbers left, else 0.</summary>
internal sealed class CountdownSolvable : IValueEstimator
{
    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        var countdown = (CountdownProblem)problem;
        var target = Fraction.Of(countdown.Target, 1);
        return states.Select(s => s.Steps.Count > 0 && s.Steps[^1].StartsWith("Answer:", StringComparison.Ordinal)
            ? s.Steps[^1].EndsWith($"= {countdown.Target}", StringComparison.Ordinal) ? 1f : 0f
            : Reachable(CountdownOracle.Replay(countdown, s.Steps), target) ? 1f : 0f).ToList();
    }

    /// <summary>Whether a multiset reaches a target does not depend on the problem: one memo serves every problem this
    /// oracle values (each test its own oracle, so no test sees another's state).</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Memo = new();

    /// <summary>Whether the oracle's own steps reach the target from these numbers (memoised by multiset).</summary>
    bool Reachable(IReadOnlyList<CountdownOracle.Item> items, Fraction target)
    {
        if (items.Count == 1) return items[0].Value == target;
        var key = string.Join(' ', items.Select(i => i.Value)) + "->" + target;
        if (!Memo.TryGetValue(key, out var can))
            Memo[key] = can = CountdownOracle.Moves(items).Any(m => Reachable(m.Next, target));
        return can;
    }
}

/// <summary>
/// A heuristic value that knows nothing of solvability: how close the nearest number left is to the target,
/// and 1 for an answer line claiming the target. Search must bring the breadth.
/// </summary>
internal sealed class CountdownCloseness : IValueEstimator
{
    public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states)
    {
        var countdown = (CountdownProblem)problem;
        return states.Select(s =>
        {
            if (s.Steps.Count > 0 && s.Steps[^1].StartsWith("Answer:", StringComparison.Ordinal))
                return s.Steps[^1].EndsWith($"= {countdown.Target}", StringComparison.Ordinal) ? 1f : 0f;
            var nearest = CountdownOracle.Replay(countdown, s.Steps)
                .Min(i => Math.Abs((double)i.Value.Numerator / i.Value.Denominator - countdown.Target));
            return (float)(0.9 / (1 + nearest));
        }).ToList();
    }
}
