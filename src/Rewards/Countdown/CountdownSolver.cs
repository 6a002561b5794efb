namespace Reasoner.Rewards.Countdown;

/// <summary>
/// The expert: exhaustive depth-first search over "combine two of the numbers left", in the Tree-of-Thoughts step form.
/// Subtraction is taken larger minus smaller, so every intermediate is non-negative; division goes both ways.
/// </summary>
internal static class CountdownSolver
{
    /// <summary>One step of a solution: <c>Left Op Right = Result</c>, and the numbers left after it.</summary>
    public sealed record Step(CountdownExpression Left, char Op, CountdownExpression Right, CountdownExpression Result, IReadOnlyList<CountdownExpression> NumbersLeft)
    {
        public override string ToString() =>
            $"{Left.Value} {Op} {Right.Value} = {Result.Value} (left: {string.Join(' ', NumbersLeft.Select(n => n.Value))})";
    }

    /// <summary>Unbounded: every problem the generator accepted was solved within the generator's budget.</summary>
    public const long NoBudget = long.MaxValue;

    /// <summary>
    /// The first solution in the search order, or null when there is none (or the budget of expanded states runs out).
    /// With <paramref name="random"/>, the moves of every state are tried in a shuffled order, so the first step of the
    /// solution is drawn evenly from the steps that can still reach the target (the expert a policy should imitate:
    /// a fixed order teaches it the solver's habit, "add the two smallest", not which steps lead somewhere); steps with
    /// small whole-number results are tried first, then larger ones, then fractions.
    /// The search runs on bare values; the expressions of the steps are rebuilt from the path it found.
    /// </summary>
    public static IReadOnlyList<Step>? Solve(IReadOnlyList<int> numbers, int target, long budget = NoBudget, Random? random = null)
    {
        var search = new ValueSearch(numbers, Rational.FromInteger(target), budget, random);
        if (!search.Find(numbers.Count))
        {
            return null;
        }
        var state = numbers.Order().Select(n => CountdownExpression.Leaf(Rational.FromInteger(n))).ToList();
        var steps = new List<Step>();
        foreach (var (leftValue, op, rightValue) in search.Path)
        {
            var left = state.First(n => n.Value == leftValue);
            state.Remove(left);
            var right = state.First(n => n.Value == rightValue);
            state.Remove(right);
            var result = CountdownExpression.Combine(op, left, right)!;
            var insertAt = state.FindIndex(n => n.Value.CompareTo(result.Value) > 0);
            state.Insert(insertAt < 0 ? state.Count : insertAt, result);
            steps.Add(new Step(left, op, right, result, state.ToList()));
        }
        return steps;
    }

    /// <summary>
    /// Marks reached[t - minTarget] for every integer t in [minTarget, minTarget + reached.Length) that the numbers reach,
    /// each used once, with the search's own moves (a + b, a * b, larger - smaller, larger / smaller, smaller / larger,
    /// in exact checked arithmetic): the targets <see cref="Solve"/> finds a solution for when its budget does not run out.
    /// One exhaustive pass for all targets at once, where the problem generator would otherwise solve each target apart.
    /// </summary>
    public static void ReachTargets(IReadOnlyList<int> numbers, int minTarget, Span<bool> reached)
    {
        var levels = new Rational[numbers.Count + 1][];
        for (var count = 0; count <= numbers.Count; count++) levels[count] = new Rational[count];
        var initial = levels[numbers.Count];
        for (var i = 0; i < initial.Length; i++) initial[i] = Rational.FromInteger(numbers[i]);
        Array.Sort(initial);
        Reach(levels, numbers.Count, minTarget, reached);
    }

    private static void Reach(Rational[][] levels, int count, int minTarget, Span<bool> reached)
    {
        var state = levels[count];
        if (count == 1)
        {
            var value = state[0];
            if (value.IsInteger && value.Numerator >= minTarget && value.Numerator - minTarget < reached.Length)
            {
                reached[(int)(value.Numerator - minTarget)] = true;
            }
            return;
        }
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                if (ValueSearch.SeenPair(state, i, j))
                {
                    continue;
                }
                var (small, large) = (state[i], state[j]);
                foreach (var code in ValueSearch.Ops)
                {
                    if (!ValueSearch.TryMove(code, small, large, out var value))
                    {
                        continue;
                    }
                    ValueSearch.Fill(levels[count - 1], state, i, j, value);
                    Reach(levels, count - 1, minTarget, reached);
                }
            }
        }
    }

    /// <summary>Every solution, without pruning of symmetric orders: for tests and for counting solutions of small problems.</summary>
    public static IEnumerable<IReadOnlyList<Step>> AllSolutions(IReadOnlyList<int> numbers, int target)
    {
        var state = numbers.Order().Select(n => CountdownExpression.Leaf(Rational.FromInteger(n))).ToList();
        return Enumerate(state, Rational.FromInteger(target), []);
    }

    /// <summary>The expert's completion lines: its steps, then the answer line built from the same tree.</summary>
    public static IReadOnlyList<string> Lines(IReadOnlyList<Step> steps, int target)
    {
        var lines = steps.Select(step => step.ToString()).ToList();
        lines.Add($"{CompletionLines.AnswerPrefix} {steps[^1].Result} = {target}");
        return lines;
    }

    /// <summary>
    /// A dead end from the expert's <paramref name="solution"/>: at a depth drawn at random, a step after which the numbers
    /// left cannot make the target (the mistake), then steps drawn at random down to two numbers, the last step the one
    /// that comes closest to the target, and the answer line built from them with the value it reaches. Steps with
    /// whole-number results are drawn when there are any, as the expert prefers them. Null when no step of any state on
    /// the solution's path leads nowhere.
    /// </summary>
    public static DeadEnd? DeadEnd(IReadOnlyList<int> numbers, IReadOnlyList<Step> solution, int target, CountdownReachability reachability, Random random)
    {
        var goal = Rational.FromInteger(target);
        var depths = Enumerable.Range(0, solution.Count).ToArray();
        random.Shuffle(depths);
        foreach (var depth in depths)
        {
            var state = depth == 0
                ? numbers.Order().Select(n => CountdownExpression.Leaf(Rational.FromInteger(n))).ToList()
                : solution[depth - 1].NumbersLeft.ToList();
            if (state.Count < 2) continue;
            var mistakes = Moves(state, skipDuplicatePairs: true)
                .Where(step => !reachability.CanReach(step.NumbersLeft.Select(n => n.Value).ToList(), goal)).ToList();
            if (mistakes.Count == 0) continue;
            var path = solution.Take(depth).ToList();
            path.Add(Draw(mistakes, random));
            while (path[^1].NumbersLeft.Count > 1)
            {
                var moves = Moves(path[^1].NumbersLeft.ToList(), skipDuplicatePairs: true).ToList();
                path.Add(path[^1].NumbersLeft.Count == 2 ? Closest(moves, goal, random) : Draw(moves, random));
            }
            var lines = path.Select(step => step.ToString()).ToList();
            lines.Add($"{CompletionLines.AnswerPrefix} {path[^1].Result} = {path[^1].Result.Value}");
            return new DeadEnd(lines, depth);
        }
        return null;
    }

    /// <summary>
    /// The last step whose result is closest to the target (ties drawn at random): the rule that also picks a solution's
    /// last step (it lands on the target), so a dead end's last step teaches the policy no other habit than computing.
    /// </summary>
    private static Step Closest(List<Step> steps, Rational target, Random random)
    {
        var distances = steps.Select(step => Math.Abs((double)step.Result.Value.Numerator / step.Result.Value.Denominator - (double)target.Numerator / target.Denominator)).ToList();
        var best = distances.Min();
        var closest = steps.Where((_, i) => distances[i] == best).ToList();
        return closest[random.Next(closest.Count)];
    }

    /// <summary>
    /// Every step (the pairs of equal numbers once) from the problem's numbers, from each state one step from them,
    /// and from each state along <paramref name="solution"/>: the steps a search of the problem proposes first, all of
    /// them computed correctly.
    /// </summary>
    public static IReadOnlyList<Step> Drills(IReadOnlyList<int> numbers, IReadOnlyList<Step> solution)
    {
        var root = numbers.Order().Select(n => CountdownExpression.Leaf(Rational.FromInteger(n))).ToList();
        var lines = new List<Step>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void From(List<CountdownExpression> state)
        {
            if (state.Count < 2) return;
            foreach (var step in Moves(state, skipDuplicatePairs: true))
                if (seen.Add(step.ToString())) lines.Add(step);
        }
        From(root);
        foreach (var first in Moves(root, skipDuplicatePairs: true)) From(first.NumbersLeft.ToList());
        foreach (var step in solution) From(step.NumbersLeft.ToList());
        return lines;
    }

    /// <summary>A step drawn at random, among those with whole-number results when there are any.</summary>
    private static Step Draw(List<Step> steps, Random random)
    {
        var whole = steps.Where(step => step.Result.Value.IsInteger).ToList();
        var from = whole.Count > 0 ? whole : steps;
        return from[random.Next(from.Count)];
    }

    private static IEnumerable<IReadOnlyList<Step>> Enumerate(List<CountdownExpression> state, Rational target, List<Step> path)
    {
        if (state.Count == 1)
        {
            if (state[0].Value == target && path.Count > 0)
            {
                yield return path.ToList();
            }
            yield break;
        }
        foreach (var step in Moves(state, skipDuplicatePairs: false))
        {
            path.Add(step);
            foreach (var solution in Enumerate(step.NumbersLeft.ToList(), target, path))
            {
                yield return solution;
            }
            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Every step from a state: pairs i &lt; j of the ascending state, each operation that is defined.</summary>
    private static IEnumerable<Step> Moves(List<CountdownExpression> state, bool skipDuplicatePairs)
    {
        var seenPairs = new HashSet<(Rational, Rational)>();
        for (var i = 0; i < state.Count; i++)
        {
            for (var j = i + 1; j < state.Count; j++)
            {
                var (small, large) = (state[i], state[j]);
                if (skipDuplicatePairs && !seenPairs.Add((small.Value, large.Value)))
                {
                    continue;
                }
                foreach (var (left, op, right) in Candidates(small, large))
                {
                    var result = CountdownExpression.Combine(op, left, right);
                    if (result is null)
                    {
                        continue;
                    }
                    var rest = new List<CountdownExpression>(state.Count - 1);
                    for (var k = 0; k < state.Count; k++)
                    {
                        if (k != i && k != j)
                        {
                            rest.Add(state[k]);
                        }
                    }
                    var insertAt = rest.FindIndex(n => n.Value.CompareTo(result.Value) > 0);
                    rest.Insert(insertAt < 0 ? rest.Count : insertAt, result);
                    yield return new Step(left, op, right, result, rest);
                }
            }
        }
    }

    private static IEnumerable<(CountdownExpression Left, char Op, CountdownExpression Right)> Candidates(CountdownExpression small, CountdownExpression large)
    {
        yield return (small, '+', large);
        yield return (small, '*', large);
        yield return (large, '-', small);
        yield return (large, '/', small);
        if (small.Value != large.Value)
        {
            yield return (small, '/', large);
        }
    }

    /// <summary>
    /// Depth-first search over sorted value arrays, one preallocated array per level, allocation-free in its inner loop.
    /// States that failed are remembered by a 128-bit hash of their sorted values: this makes unsolvable six-number
    /// problems affordable, and a false "failed" would need two independent 64-bit hashes to collide.
    /// </summary>
    private sealed class ValueSearch
    {
        private readonly Rational _target;
        private readonly long _budget;
        private readonly Rational[][] _levels;
        private readonly HashSet<(ulong, ulong)> _failed = [];
        private readonly (Rational Left, char Op, Rational Right)[] _path;
        private readonly Random? _random;
        private readonly (int I, int J, char Code)[][] _moves;
        private long _expanded;

        public ValueSearch(IReadOnlyList<int> numbers, Rational target, long budget, Random? random)
        {
            _target = target;
            _budget = budget;
            _random = random;
            _levels = new Rational[numbers.Count + 1][];
            _moves = new (int, int, char)[numbers.Count + 1][];
            for (var count = 0; count <= numbers.Count; count++)
            {
                _levels[count] = new Rational[count];
                _moves[count] = new (int, int, char)[count * (count - 1) / 2 * Ops.Length];
            }
            var initial = numbers.Order().Select(n => Rational.FromInteger(n)).ToArray();
            initial.CopyTo(_levels[numbers.Count], 0);
            _path = new (Rational, char, Rational)[Math.Max(0, numbers.Count - 1)];
        }

        /// <summary>The steps of the solution <see cref="Find"/> found, in order.</summary>
        public IEnumerable<(Rational Left, char Op, Rational Right)> Path => _path;

        public static readonly char[] Ops = ['+', '*', '-', '/', '\\'];

        /// <summary>Searches from the state held in level <paramref name="count"/>.</summary>
        public bool Find(int count)
        {
            var state = _levels[count];
            if (count == 1)
            {
                return state[0] == _target;
            }
            var key = Hash(state);
            if (_failed.Contains(key) || ++_expanded > _budget)
            {
                return false;
            }
            var next = _levels[count - 1];
            var depth = _path.Length - (count - 1);
            var moves = Moves(state, count);
            // A shuffled search tries whole numbers up to 100 first, then larger ones, fractions only when nothing else
            // reaches the target: the solutions a person would write, and arithmetic a small policy can learn.
            var passes = _random is null ? 1 : 3;
            for (var m = 0; m < moves.Length * passes; m++)
            {
                var pass = m / moves.Length;
                var (i, j, code) = moves[m % moves.Length];
                var (small, large) = (state[i], state[j]);
                if (!TryMove(code, small, large, out var value) || (_random is not null && Difficulty(value) != pass))
                {
                    continue;
                }
                _path[depth] = Operands(code, small, large);
                if (count == 2)
                {
                    if (value == _target)
                    {
                        return true;
                    }
                    continue;
                }
                Fill(next, state, i, j, value);
                if (Find(count - 1))
                {
                    return true;
                }
            }
            _failed.Add(key);
            return false;
        }

        /// <summary>The step of a move from a pair (small &lt;= large): '\\' is small / large, so division goes both ways,
        /// the smaller first only when the two differ.</summary>
        private static (Rational Left, char Op, Rational Right) Operands(char code, Rational small, Rational large) => code switch
        {
            '+' or '*' => (small, code, large),
            '\\' => (small, '/', large),
            _ => (large, code, small),
        };

        /// <summary>The result of a move; false when it is not defined (small / large of equal values, division by zero,
        /// overflow).</summary>
        public static bool TryMove(char code, Rational small, Rational large, out Rational value)
        {
            value = default;
            var (left, op, right) = Operands(code, small, large);
            return !(code == '\\' && small == large) && Rational.TryApply(op, left, right, out value);
        }

        /// <summary>The pass of a shuffled search that tries this result: 0 whole up to 100, 1 larger whole, 2 fraction.</summary>
        private static int Difficulty(Rational value) => !value.IsInteger ? 2 : value.Numerator <= 100 ? 0 : 1;

        /// <summary>The moves of a state (pair i &lt; j and operation, equal pairs once) in search order: fixed, or shuffled.</summary>
        private ReadOnlySpan<(int I, int J, char Code)> Moves(Rational[] state, int count)
        {
            var moves = _moves[count];
            var written = 0;
            for (var i = 0; i < count; i++)
            {
                for (var j = i + 1; j < count; j++)
                {
                    if (SeenPair(state, i, j))
                    {
                        continue;
                    }
                    foreach (var code in Ops)
                    {
                        moves[written++] = (i, j, code);
                    }
                }
            }
            var span = moves.AsSpan(0, written);
            _random?.Shuffle(span);
            return span;
        }

        /// <summary>True when an earlier pair of the same two values was already tried from this state.</summary>
        public static bool SeenPair(Rational[] state, int i, int j)
        {
            for (var a = 0; a <= i; a++)
            {
                for (var b = a + 1; b < state.Length; b++)
                {
                    if (a == i && b == j)
                    {
                        return false;
                    }
                    if (state[a] == state[i] && state[b] == state[j])
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        /// <summary>Writes the state without positions i and j, with <paramref name="value"/> inserted in order.</summary>
        public static void Fill(Rational[] next, Rational[] state, int i, int j, Rational value)
        {
            var written = 0;
            var inserted = false;
            for (var k = 0; k < state.Length; k++)
            {
                if (k == i || k == j)
                {
                    continue;
                }
                if (!inserted && state[k].CompareTo(value) > 0)
                {
                    next[written++] = value;
                    inserted = true;
                }
                next[written++] = state[k];
            }
            if (!inserted)
            {
                next[written] = value;
            }
        }

        private static (ulong, ulong) Hash(Rational[] state)
        {
            var (first, second) = (14695981039346656037UL, 0x9E3779B97F4A7C15UL);
            foreach (var value in state)
            {
                first = (first ^ (ulong)value.Numerator) * 1099511628211UL;
                first = (first ^ (ulong)value.Denominator) * 1099511628211UL;
                second = Mix(second + (ulong)value.Numerator);
                second = Mix(second + (ulong)value.Denominator * 31);
            }
            return (first, second);
        }

        private static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }
}
