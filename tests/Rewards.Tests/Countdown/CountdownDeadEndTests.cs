using Reasoner.Rewards.Countdown;

namespace Reasoner.Rewards.Tests.Countdown;

/// <summary>
/// Dead ends (<see cref="ITask.DeadEnd"/>): they follow the expert's solution up to the mistake, every step of them is
/// valid, the mistake is the first state the oracle calls unsolvable, and the answer line states the value the steps
/// reached, which the verifier parses and refuses. Checked against the verifier and the oracle, not the generator.
/// </summary>
public class CountdownDeadEndTests
{
    public static TheoryData<string> Tasks => ["countdown-3", "countdown-4", "game24"];

    private static ITask Create(string name) => name switch
    {
        "countdown-3" => new CountdownTask(new CountdownOptions(3, 1, 12, 1, 30)),
        "countdown-4" => new CountdownTask(new CountdownOptions(4, 1, 13, 12, 36)),
        _ => new Game24Task(),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void A_dead_end_leaves_the_solution_with_a_valid_step_that_cannot_reach_the_target_and_says_what_it_reached(string name)
    {
        var task = Create(name);
        var random = new Random(3);
        int shown = 0;
        foreach (var problem in task.Generate(Split.Train, 80, seed: 9))
        {
            var deadEnd = task.DeadEnd(problem, random);
            if (deadEnd is null) continue;
            shown++;
            var lines = deadEnd.Lines;
            var solution = task.Solve(problem);
            Assert.Equal(solution.Count, lines.Count);
            Assert.InRange(deadEnd.Mistake, 0, lines.Count - 2);
            Assert.Equal(solution.Take(deadEnd.Mistake), lines.Take(deadEnd.Mistake));
            Assert.True(task.IsSolvable(problem, lines.Take(deadEnd.Mistake).ToList()), $"{problem.Id}: before the mistake");
            for (int i = deadEnd.Mistake + 1; i < lines.Count; i++)
                Assert.False(task.IsSolvable(problem, lines.Take(i).ToList()), $"{problem.Id}: after the mistake, state {i}");

            var verdict = task.Verify(problem, string.Join('\n', lines), new RewardConfig());
            Assert.False(verdict.Correct);
            Assert.True(verdict.FormatOk, verdict.Reason);
            Assert.All(verdict.StepValid.Take(lines.Count - 1), Assert.True);
            Assert.Contains("not", verdict.Reason);
            Assert.True(task.IsAnswerLine(lines[^1]));
            // The answer claims the number the last step left, not the target.
            var left = lines[^2][(lines[^2].IndexOf("(left: ", StringComparison.Ordinal) + 7)..^1];
            Assert.EndsWith($"= {left}", lines[^1]);
            // A last step after the mistake is the one that comes closest to the target, as a solution's last step does.
            if (lines.Count - 2 > deadEnd.Mistake)
            {
                var before = lines.Count >= 3 ? Numbers(lines[^3][(lines[^3].IndexOf("(left: ", StringComparison.Ordinal) + 7)..^1])
                    : ((CountdownProblem)problem).Numbers.Select(n => Rational.FromInteger(n)).ToList();
                Assert.Equal(2, before.Count);
                var target = (double)((CountdownProblem)problem).Target;
                var best = "+*-/".SelectMany(op => new[] { (op, before[0], before[1]), (op, before[1], before[0]) })
                    .Select(t => Rational.TryApply(t.op, t.Item2, t.Item3, out var value) ? Math.Abs(ToDouble(value) - target) : double.MaxValue).Min();
                Assert.Equal(best, Math.Abs(ToDouble(Numbers(left)[0]) - target), 9);
            }
        }
        Assert.True(shown > 60, $"{name}: only {shown} of 80 problems showed a dead end");
    }

    private static List<Rational> Numbers(string text) => text.Split(' ').Select(part =>
    {
        int position = 0;
        Assert.True(Rational.TryRead(part, ref position, allowFraction: true, out var value));
        return value;
    }).ToList();

    private static double ToDouble(Rational value) => (double)value.Numerator / value.Denominator;

    [Fact]
    public void The_same_random_draws_the_same_dead_end_and_other_draws_spread_over_mistakes()
    {
        var task = new CountdownTask(new CountdownOptions(4, 1, 13, 12, 36));
        var problem = task.Generate(Split.Train, 1, seed: 2)[0];
        Assert.Equal(task.DeadEnd(problem, new Random(7))!.Lines, task.DeadEnd(problem, new Random(7))!.Lines);
        var distinct = Enumerable.Range(0, 40).Select(seed => string.Join('\n', task.DeadEnd(problem, new Random(seed))!.Lines)).Distinct().Count();
        Assert.True(distinct > 10, $"40 draws gave {distinct} distinct dead ends");
    }

    [Fact]
    public void Tasks_whose_steps_cannot_go_wrong_and_on_show_none()
    {
        ITask task = new Reasoner.Rewards.Arithmetic.ArithmeticTask();
        Assert.Null(task.DeadEnd(task.Generate(Split.Train, 1, seed: 0)[0], new Random(0)));
    }
}

/// <summary>Step claims (<see cref="ITask.Claim"/>) and drills (<see cref="ITask.Drills"/>): what a step checker learns and reads.</summary>
public class CountdownClaimTests
{
    [Fact]
    public void A_step_claims_its_computation_and_written_result_and_nothing_else_claims_anything()
    {
        ITask task = new CountdownTask(new CountdownOptions(3, 1, 12, 1, 30));
        Assert.Equal(new StepClaim("7 + 9 =", " 16"), task.Claim("7 + 9 = 16 (left: 3 16)"));
        Assert.Equal(new StepClaim("3 + 16 =", " 30"), task.Claim("3 + 16 = 30 (left: 30)")); // a wrong claim is still a claim
        Assert.Equal(new StepClaim("7 / 3 =", " 7/3"), task.Claim("7 / 3 = 7/3 (left: 7/3 9)"));
        foreach (var line in new[] { "Answer: 3 + (7 + 9) = 30", "", "=", "7 + 9 = (left: 16)", "7 = 9 = 16 (left: 16)", "9 eft: Answeft: 7 3 3", new string('1', 5000) + " = 1 (left: 1)" })
            Assert.Null(task.Claim(line));
    }

    [Theory]
    [InlineData("countdown")]
    [InlineData("game24")]
    public void Every_drill_is_a_valid_step_whose_claim_holds_and_the_experts_steps_are_among_them(string name)
    {
        ITask task = name == "game24" ? new Game24Task() : new CountdownTask(new CountdownOptions(3, 1, 12, 1, 30));
        foreach (var problem in task.Generate(Split.Train, 20, seed: 3))
        {
            var drills = task.Drills(problem);
            Assert.Equal(drills.Count, drills.Distinct().Count());
            Assert.All(task.Solve(problem).SkipLast(1), step => Assert.Contains(step, drills));
            var numbers = ((CountdownProblem)problem).Numbers;
            // Every first step from the problem's numbers (the pairs and operations a search proposes first) is a drill.
            Assert.Contains(drills, line => line.StartsWith($"{numbers.Min()} + ", StringComparison.Ordinal));
            foreach (var line in drills)
            {
                var claim = task.Claim(line)!;
                var parts = claim.Question.TrimEnd('=').Trim().Split(' ');
                Assert.True(Read(parts[0], out var left), line);
                Assert.True(Read(parts[2], out var right), line);
                Assert.True(Read(claim.Answer.Trim(), out var result), line);
                Assert.True(Rational.TryApply(parts[1][0], left, right, out var value) && value == result, line);
            }
        }
    }

    [Fact]
    public void A_step_leaves_the_numbers_it_says_are_left_with_the_prompts_target_and_nothing_else_leaves_anything()
    {
        ITask task = new Game24Task();
        Assert.Equal("4 10 30 -> 24\n", task.Remaining("4 5 6 10 -> 24\n", "5 * 6 = 30 (left: 4 10 30)"));
        Assert.Equal("4 10 30 -> 24\n", task.Remaining("4 5 6 10 -> 24", " 5 * 6 = 30 (left: 30 10 4) ")); // sorted, as the expert writes them
        Assert.Equal("3/2 7 -> 24\n", task.Remaining("1 2 3 7 -> 24\n", "3 / 2 = 3/2 (left: 3/2 7)"));
        Assert.Equal("31 -> 24\n", task.Remaining("1 2 3 7 -> 24\n", "3 * 7 = 31 (left: 31)")); // what it says, right or wrong
        foreach (var (prompt, line) in new[] { ("4 5 6 10 -> 24\n", "Answer: 4 + 5 * 6 - 10 = 24"), ("4 5 6 10 -> 24\n", "9 eft: Answeft: 7 3 3"),
            ("4 5 6 10 -> 24\n", "5 * 6 = 30 (left: )"), ("4 5 6 10 -> 24\n", ""), ("4 5 6 10\n", "5 * 6 = 30 (left: 4 10 30)"),
            ("4 5 6 10 -> x\n", "5 * 6 = 30 (left: 4 10 30)"), ("4 5 6 10 -> 24\n", new string('1', 5000) + " = 1 (left: 1)") })
            Assert.Null(task.Remaining(prompt, line));
        Assert.Null(TaskCatalog.Create("arithmetic").Remaining("1 + 2\n", "3"));
    }

    [Theory]
    [InlineData("countdown")]
    [InlineData("game24")]
    public void The_problems_the_drills_leave_are_labelled_by_whether_the_numbers_left_can_still_make_the_target(string name)
    {
        ITask task = name == "game24" ? new Game24Task() : new CountdownTask(new CountdownOptions(3, 1, 12, 1, 30));
        foreach (var problem in task.Generate(Split.Train, 10, seed: 4))
        {
            var left = task.RemainingDrills(problem);
            var prompt = task.Prompt(problem);
            Assert.Equal(left.Select(d => d.Prompt).Distinct().Count(), left.Count);
            // Each is what a drill leaves, and solvable exactly when the oracle says the state after that drill is.
            var byPrompt = left.ToDictionary(d => d.Prompt, d => d.Solvable);
            Assert.Equal(byPrompt.Keys.Order(), task.Drills(problem).Select(line => task.Remaining(prompt, line)!).Distinct().Order());
            foreach (var step in task.Drills(problem).Where(line => line.Split("(left:")[1].Trim(' ', ')').Split(' ').Length == ((CountdownProblem)problem).Numbers.Count - 1))
                Assert.Equal(task.IsSolvable(problem, [step]), byPrompt[task.Remaining(prompt, step)!]);
            // The expert's own first step leaves a problem that can still be solved.
            Assert.True(byPrompt[task.Remaining(prompt, task.Solve(problem)[0])!]);
        }
    }

    private static bool Read(string text, out Rational value)
    {
        int position = 0;
        return Rational.TryRead(text, ref position, allowFraction: true, out value) && position == text.Length;
    }
}
