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
