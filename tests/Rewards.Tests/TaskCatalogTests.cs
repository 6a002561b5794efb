namespace Reasoner.Rewards.Tests;

public class TaskCatalogTests
{
    [Fact]
    public void Every_name_builds_its_task()
    {
        foreach (var name in TaskCatalog.Names)
        {
            Assert.Equal(name, TaskCatalog.Create(name).Name);
        }
    }

    [Fact]
    public void Options_reach_the_task()
    {
        var sudoku = TaskCatalog.Create("sudoku", new TaskOptions(Size: 9, Blanks: 30));
        Assert.Equal(31, sudoku.MaxSteps(sudoku.Generate(Split.Train, 1, 0)[0]));
        var countdown = TaskCatalog.Create("countdown", new TaskOptions(Numbers: 5));
        Assert.Equal(5, countdown.MaxSteps(countdown.Generate(Split.Train, 1, 0)[0]));
    }

    [Fact]
    public void Unknown_names_options_and_values_are_named()
    {
        Assert.Contains("chess", Assert.Throws<ArgumentException>(() => TaskCatalog.Create("chess")).Message);
        Assert.Contains("blanks", Assert.Throws<ArgumentException>(() => TaskCatalog.Create("countdown", new TaskOptions(Blanks: 3))).Message);
        Assert.Contains("numbers", Assert.Throws<ArgumentException>(() => TaskCatalog.Create("countdown", new TaskOptions(Numbers: 7))).Message);
        Assert.Contains("operation", Assert.Throws<ArgumentException>(() => TaskCatalog.Create("arithmetic", new TaskOptions(Operation: "divide"))).Message);
        Assert.Contains("numbers", Assert.Throws<ArgumentException>(() => TaskCatalog.Create("game24", new TaskOptions(Numbers: 4))).Message);
    }
}

public class TaskSpecTests
{
    [Fact]
    public void Resolve_sets_every_option_the_task_uses_and_leaves_derived_ones_at_their_rule()
    {
        Assert.Equal(new TaskOptions(3, 1, 9, 1, 100), TaskCatalog.Resolve("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9)));
        Assert.Equal(new TaskOptions(), TaskCatalog.Resolve("game24"));
        Assert.Equal(new TaskOptions(Operation: "add", Digits: 4), TaskCatalog.Resolve("arithmetic", new TaskOptions(Digits: 4, RightDigits: 4)));
        Assert.Equal(new TaskOptions(Operation: "multiply", Digits: 4, RightDigits: 2), TaskCatalog.Resolve("arithmetic", new TaskOptions(Operation: "multiply", Digits: 4, RightDigits: 2)));
        Assert.Equal(new TaskOptions(Size: 9), TaskCatalog.Resolve("sudoku", new TaskOptions(Size: 9, Blanks: 40)));
        Assert.Equal(new TaskOptions(Size: 4, Blanks: 6), TaskCatalog.Resolve("sudoku", new TaskOptions(Blanks: 6)));
        Assert.Contains("blanks", Assert.Throws<ArgumentException>(() => TaskCatalog.Resolve("countdown", new TaskOptions(Blanks: 3))).Message);
    }

    [Fact]
    public void A_resolved_spec_builds_the_same_problems_as_the_options_it_came_from()
    {
        var given = new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxTarget: 30));
        Assert.Equal(given.Create().Generate(Split.Train, 5, 1).Select(p => p.Id), given.Resolved().Create().Generate(Split.Train, 5, 1).Select(p => p.Id));
        Assert.Equal("countdown --numbers 3 --min-number 1 --max-number 13 --min-target 1 --max-target 30", given.Resolved().ToString());
        Assert.Equal("game24", new TaskSpec("game24", new TaskOptions()).ToString());
    }

    [Fact]
    public void Overriding_keeps_the_recorded_options_the_command_line_does_not_set_and_names_each_change()
    {
        var recorded = new TaskSpec("countdown", new TaskOptions(Numbers: 3, MaxNumber: 9, MaxTarget: 30)).Resolved();

        var same = recorded.Overridden(null, new TaskOptions(), out var none);
        Assert.Equal(recorded, same);
        Assert.Empty(none);

        var restated = recorded.Overridden("countdown", new TaskOptions(Numbers: 3), out var stillNone);
        Assert.Equal(recorded, restated);
        Assert.Empty(stillNone);

        var harder = recorded.Overridden(null, new TaskOptions(Numbers: 4, MaxNumber: 9), out var changed);
        Assert.Equal(recorded.Options with { Numbers = 4 }, harder.Options);
        Assert.Equal(["--numbers 4 differs from the checkpoint's --numbers 3"], changed);
    }

    [Fact]
    public void Another_task_takes_only_the_given_options_and_says_so()
    {
        var recorded = new TaskSpec("countdown", new TaskOptions(Numbers: 4)).Resolved();
        var game24 = recorded.Overridden("game24", new TaskOptions(), out var differences);
        Assert.Equal(new TaskSpec("game24", new TaskOptions()), game24);
        Assert.Equal($"--task game24 differs from the checkpoint's task, {recorded}", Assert.Single(differences));
        Assert.Contains("numbers", Assert.Throws<ArgumentException>(() => recorded.Overridden("game24", new TaskOptions(Numbers: 4), out _)).Message);
    }

    [Fact]
    public void Derived_options_follow_the_option_they_derive_from_and_only_given_options_are_reported()
    {
        var recorded = new TaskSpec("arithmetic", new TaskOptions(Digits: 3)).Resolved();
        var wider = recorded.Overridden(null, new TaskOptions(Digits: 5), out var differences);
        Assert.Equal(5, wider.Create().Generate(Split.Train, 1, 0)[0] is Reasoner.Rewards.Arithmetic.ArithmeticProblem p ? p.Right.ToString().Length : 0);
        Assert.Equal(["--digits 5 differs from the checkpoint's --digits 3"], differences);

        // Giving right-digits at the value it already derives to changes nothing.
        recorded.Overridden(null, new TaskOptions(RightDigits: 3), out var unchanged);
        Assert.Empty(unchanged);

        var sudoku = new TaskSpec("sudoku", new TaskOptions()).Resolved().Overridden(null, new TaskOptions(Size: 9), out _);
        Assert.Equal(40, sudoku.Create().Generate(Split.Train, 1, 0)[0] is Reasoner.Rewards.Sudoku.SudokuProblem s ? s.Grid.Count(c => c == '.') : 0);
    }
}
