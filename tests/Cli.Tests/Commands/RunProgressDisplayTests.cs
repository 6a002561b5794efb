using Reasoner.Actors.SelfImprovement;
using Reasoner.Cli.Commands;
using Serilog.Events;
using Serilog.Parsing;
using Spectre.Console;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>The live display of <c>reasoner run</c>, drawn into a plain console so that the test can read it.</summary>
public class RunProgressDisplayTests
{
    private static string Draw(RunProgressDisplay display)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        console.Write(display.Render());
        return text.ToString();
    }

    [Fact]
    public void ShowsTheStageIterationProblemsDoneMeanRewardRateAndTimeLeft()
    {
        var display = new RunProgressDisplay("quickstart", "results/quickstart-1", iterations: 2);
        Assert.Contains("starting", Draw(display));

        display.Progress(new LoopProgress("search", 1, 2, Done: 12, Total: 96, MeanReward: 0.5, ProblemsPerSecond: 4));
        string drawn = Draw(display);
        Assert.Contains("quickstart", drawn);
        Assert.Contains("search", drawn);
        Assert.Contains("1/2", drawn);
        Assert.Contains("12/96 problems", drawn);
        Assert.Contains("0.500", drawn);
        Assert.Contains("4.00/s", drawn);
        Assert.Contains("0:21", drawn); // 84 problems left at 4 a second
        Assert.DoesNotContain("\u001b", drawn);

        display.Progress(new LoopProgress("training", 1, 2, Done: 50, Total: 200, MeanReward: double.NaN, ProblemsPerSecond: 25, Unit: "steps"));
        Assert.Contains("50/200 steps", Draw(display));
        Assert.Contains("0:06", Draw(display));
    }

    [Fact]
    public void KeepsTheLastLinesOfTheLog()
    {
        var display = new RunProgressDisplay("quickstart", "results/quickstart-1", iterations: 2);
        for (int i = 0; i < 12; i++)
            display.Emit(new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, new MessageTemplateParser().Parse($"note number {i}"), []));
        string drawn = Draw(display);
        Assert.Contains("note number 11", drawn);
        Assert.Contains("note number 4", drawn);
        Assert.DoesNotContain("note number 3", drawn); // the eight most recent only
    }
}
