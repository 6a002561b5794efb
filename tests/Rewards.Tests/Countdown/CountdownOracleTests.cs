using FsCheck;
using FsCheck.Fluent;
using Reasoner.Rewards.Countdown;

namespace Reasoner.Rewards.Tests.Countdown;

/// <summary>
/// The Countdown state oracle against an independent definition: a state is solvable exactly when some continuation
/// of it (more steps in any order, then the answer line built from all the steps) passes the verifier. States come
/// from expert prefixes, random legal steps (negative and fractional results included), near misses and garbage.
/// </summary>
public class CountdownOracleTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(120);

    /// <summary>A number left and the expression over the problem's numbers that made it.</summary>
    private sealed record Item(Rational Value, string Expression);

    [Fact]
    public void Expert_prefixes_and_solutions_are_solvable_and_their_near_misses_are_not()
    {
        foreach (ITask task in new ITask[] { new CountdownTask(new CountdownOptions(4, 1, 13, 12, 36)), new Game24Task(), new CountdownTask(new CountdownOptions(3, 1, 9, 1, 30)) })
        {
            var random = new Random(5);
            int misses = 0, solvableMisses = 0;
            foreach (var problem in task.Generate(Split.Train, 60, seed: 4))
            {
                var solution = task.Solve(problem);
                for (var i = 0; i <= solution.Count; i++) Assert.True(task.IsSolvable(problem, solution.Take(i).ToList()), $"{problem.Id}: prefix {i}");
                for (var i = 0; i < solution.Count; i++)
                {
                    var corruptions = task.Corruptions(problem, solution.Take(i).ToList(), solution[i], random);
                    Assert.NotEmpty(corruptions);
                    foreach (var corrupted in corruptions)
                    {
                        misses++;
                        var state = solution.Take(i).Append(corrupted).ToList();
                        var solvable = task.IsSolvable(problem, state);
                        Assert.Equal(Witness((CountdownProblem)problem, task, state) is not null, solvable);
                        if (solvable) solvableMisses++;
                    }
                }
            }
            // A changed number is occasionally legal too, but near misses are negatives almost always.
            Assert.InRange(solvableMisses, 0, misses / 20);
        }
    }

    [Fact]
    public void A_false_claim_of_the_target_wrong_arithmetic_and_a_missing_number_are_each_unsolvable()
    {
        var task = new CountdownTask();
        var problem = CountdownProblem.Create("t", [4, 4, 6, 8], 24);
        Assert.True(task.IsSolvable(problem, ["4 + 8 = 12 (left: 4 6 12)"]));
        Assert.False(task.IsSolvable(problem, ["4 + 8 = 24 (left: 4 6 24)"]));
        Assert.False(task.IsSolvable(problem, ["4 + 8 = 13 (left: 4 6 13)"]));
        Assert.False(task.IsSolvable(problem, ["5 + 8 = 13 (left: 4 4 6 13)"]));
        Assert.False(task.IsSolvable(problem, ["8 + 8 = 16 (left: 4 4 6 16)"]));
        Assert.False(task.IsSolvable(problem, ["4 + 8 = 12 (left: 6 12)"]));
        // Legal steps: solvable or a dead end, as some continuation verifies or none does.
        Assert.Equal(Witness(problem, task, ["4 * 8 = 32 (left: 4 6 32)", "32 * 6 = 192 (left: 4 192)"]) is not null,
            task.IsSolvable(problem, ["4 * 8 = 32 (left: 4 6 32)", "32 * 6 = 192 (left: 4 192)"]));
        Assert.True(task.IsSolvable(problem, ["4 + 8 = 12 (left: 4 6 12)", "6 - 4 = 2 (left: 2 12)", "2 * 12 = 24 (left: 24)"]));
        Assert.True(task.IsSolvable(problem, ["4 + 8 = 12 (left: 4 6 12)", "6 - 4 = 2 (left: 2 12)", "2 * 12 = 24 (left: 24)", "Answer: (6 - 4) * (4 + 8) = 24"]));
        Assert.False(task.IsSolvable(problem, ["4 + 8 = 12 (left: 4 6 12)", "6 - 4 = 2 (left: 2 12)", "2 * 12 = 24 (left: 24)", "Answer: (6 - 4) * (4 + 6) = 24"]));
        // A negative intermediate is legal (both orders of - are then tried).
        var negative = new List<string> { "4 - 8 = -4 (left: -4 4 6)" };
        Assert.Equal(Witness(problem, task, negative) is not null, task.IsSolvable(problem, negative));
    }

    [Fact]
    public void Random_legal_states_are_solvable_exactly_when_a_continuation_verifies()
    {
        var task = new CountdownTask(new CountdownOptions(4, 1, 13, 12, 36));
        var problems = task.Generate(Split.Train, 30, seed: 8).Cast<CountdownProblem>().ToList();
        var states = Gen.Choose(0, problems.Count - 1).SelectMany(index => Gen.Choose(0, 3).SelectMany(depth =>
            Gen.Choose(0, int.MaxValue).Select(seed => (problems[index], RandomLegalSteps(problems[index], depth, new Random(seed))))));
        Prop.ForAll(Arb.From(states), state =>
            task.IsSolvable(state.Item1, state.Item2) == (Witness(state.Item1, task, state.Item2) is not null)).Check(Cases);
    }

    [Fact]
    public void Garbage_is_never_solvable_and_never_throws()
    {
        var task = new Game24Task();
        var problems = task.Generate(Split.Test, 5, seed: 0);
        var characters = (task.Alphabet + "−×÷-/ \u00a0").ToCharArray();
        var line = Gen.ArrayOf(Gen.Elements(characters)).Select(chars => new string(chars));
        var lines = Gen.ListOf(line).Select(l => (IReadOnlyList<string>)l.ToList());
        Prop.ForAll(Arb.From(lines), steps => problems.All(problem =>
            !task.IsSolvable(problem, steps) || Witness((CountdownProblem)problem, task, steps) is not null)).Check(Cases);
    }

    [Fact]
    public void Reachability_agrees_with_the_expert_solver_and_remembers_states()
    {
        var reachability = new CountdownReachability();
        var random = new Random(3);
        for (var i = 0; i < 400; i++)
        {
            var numbers = Enumerable.Range(0, 2 + random.Next(3)).Select(_ => 1 + random.Next(13)).ToArray();
            var target = random.Next(60);
            var solvable = CountdownSolver.Solve(numbers, target) is not null;
            Assert.Equal(solvable, reachability.CanReach(numbers.Select(n => Rational.FromInteger(n)).ToList(), Rational.FromInteger(target)));
        }
        var remembered = reachability.Remembered;
        Assert.True(remembered > 0);
        reachability.CanReach([Rational.FromInteger(4), Rational.FromInteger(6)], Rational.FromInteger(24));
        reachability.CanReach([Rational.FromInteger(6), Rational.FromInteger(4)], Rational.FromInteger(24));
        Assert.InRange(reachability.Remembered, remembered, remembered + 1);
    }

    /// <summary>Up to <paramref name="depth"/> legal steps drawn uniformly over pairs and all six operations.</summary>
    private static IReadOnlyList<string> RandomLegalSteps(CountdownProblem problem, int depth, Random random)
    {
        var items = problem.Numbers.Select(n => new Item(Rational.FromInteger(n), $"{n}")).ToList();
        var steps = new List<string>();
        for (var d = 0; d < depth && items.Count > 1; d++)
        {
            var moves = Moves(items).ToList();
            if (moves.Count == 0) break;
            var (line, next) = moves[random.Next(moves.Count)];
            steps.Add(line);
            items = next;
        }
        return steps;
    }

    /// <summary>Every legal step from the items, both orders of - and /, with the items after it (ascending).</summary>
    private static IEnumerable<(string Line, List<Item> Next)> Moves(List<Item> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            for (var j = 0; j < items.Count; j++)
            {
                if (i == j) continue;
                foreach (var op in "+-*/")
                {
                    if ((op is '+' or '*') && j < i) continue;
                    if (!Rational.TryApply(op, items[i].Value, items[j].Value, out var value)) continue;
                    var next = items.Where((_, k) => k != i && k != j).Append(new Item(value, $"({items[i].Expression} {op} {items[j].Expression})"))
                        .OrderBy(item => item.Value).ToList();
                    yield return ($"{items[i].Value} {op} {items[j].Value} = {value} (left: {string.Join(' ', next.Select(n => n.Value))})", next);
                }
            }
        }
    }

    /// <summary>
    /// A completion that extends the state and passes the verifier, or null. The state's steps are replayed by value
    /// (a step whose operands are not left has no continuation: the verifier rejects it whatever follows); then every
    /// order of further steps is tried, and the answer line is the expression the steps built.
    /// </summary>
    private static string? Witness(CountdownProblem problem, ITask task, IReadOnlyList<string> state)
    {
        var prefix = string.Join('\n', state);
        var lines = CompletionLines.Split(prefix);
        if (lines.AnswerLine is not null) return task.Verify(problem, prefix, new RewardConfig()).Correct ? prefix : null;
        var items = problem.Numbers.Select(n => new Item(Rational.FromInteger(n), $"{n}")).ToList();
        foreach (var step in lines.Steps)
        {
            var parts = step.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5 || !TryValue(parts[0], out var a) || !TryValue(parts[2], out var b) || parts[1].Length != 1) return null;
            var left = items.FirstOrDefault(item => item.Value == a);
            if (left is null) return null;
            items.Remove(left);
            var right = items.FirstOrDefault(item => item.Value == b);
            if (right is null || !Rational.TryApply(parts[1][0], a, b, out var value)) return null;
            items.Remove(right);
            items.Add(new Item(value, $"({left.Expression} {parts[1][0]} {right.Expression})"));
        }
        return Continue(problem, task, lines.Steps.ToList(), items);
    }

    private static string? Continue(CountdownProblem problem, ITask task, List<string> steps, List<Item> items)
    {
        if (items.Count == 1)
        {
            var completion = string.Join('\n', steps.Append($"Answer: {items[0].Expression} = {problem.Target}"));
            return task.Verify(problem, completion, new RewardConfig()).Correct ? completion : null;
        }
        foreach (var (line, next) in Moves(items))
        {
            steps.Add(line);
            var found = Continue(problem, task, steps, next);
            steps.RemoveAt(steps.Count - 1);
            if (found is not null) return found;
        }
        return null;
    }

    private static bool TryValue(string text, out Rational value)
    {
        var position = 0;
        return Rational.TryRead(text, ref position, allowFraction: true, out value) && position == text.Length;
    }
}
