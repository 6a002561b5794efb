using System.Text.Json;
using Reasoner.Cli.Commands;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>report and compare on small run folders written here: the files they write and what they say.</summary>
public sealed class ReportCompareCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A run folder with one evaluation of System 1 and MCTS on 10 problems, with a sampling run of 4.</summary>
    private string Run(string name, int mctsSolves)
    {
        string run = Path.Combine(_folder, name);
        Directory.CreateDirectory(run);
        using (var metrics = new MetricsWriter(Path.Combine(run, "metrics.jsonl"), Path.Combine(run, "metrics.csv")))
        {
            metrics.Append(MetricsRow.Evaluation(0, "system1", 2, 10, generatedTokens: 200));
            metrics.Append(MetricsRow.Evaluation(0, "mcts", mctsSolves, 10, generatedTokens: 1000));
        }
        using var outcomes = new OutcomesWriter(Path.Combine(run, "outcomes.jsonl"));
        for (int p = 0; p < 10; p++)
        {
            outcomes.Append(new ProblemOutcome(0, "system1", $"p{p}", p < 2, 0, 20, 0));
            outcomes.Append(new ProblemOutcome(0, "mcts", $"p{p}", p < mctsSolves, 0, 100, 8));
            outcomes.Append(new ProblemOutcome(0, "sampling", $"p{p}", false, 0, 120, 4,
                SampledAnswers.Of([("24", p < 3, 0.5), ("23", false, 0.6), (null, false, double.NaN), ("24", p < 3, 0.4)])));
        }
        return run;
    }

    [Fact]
    public void ReportRebuildsTheSummaryThePlotsAndTheHtmlPage()
    {
        string run = Run("a", mctsSolves: 6);
        var invocation = CommandRunner.Run(ReportCommand.Create(), "report", run);
        Assert.Equal(0, invocation.Code);
        using var json = JsonDocument.Parse(invocation.Output);
        Assert.Equal(Path.Combine(run, "summary.md"), json.RootElement.GetProperty("summary").GetString());
        Assert.Equal(Path.Combine(run, "report.html"), json.RootElement.GetProperty("report").GetString());
        Assert.Contains(Path.Combine(run, "plots", "equal-compute-0.svg"), json.RootElement.GetProperty("plots").EnumerateArray().Select(p => p.GetString()));
        string summary = File.ReadAllText(Path.Combine(run, "summary.md"));
        // 100 tokens are 4 samples of 30: maj@4 and best-of-4 are the matched budgets.
        Assert.Contains("| mcts | 100 | 60.0% [31.3%, 83.2%] | not significantly different (+40.0 points, p=0.125) | maj@4 (120 tokens, 30.0%)", summary);
        Assert.Contains("<td>mcts</td>", File.ReadAllText(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void CompareWritesOnePageWithEveryRun()
    {
        string first = Run("first", mctsSolves: 6), second = Run("second", mctsSolves: 3);
        string page = Path.Combine(_folder, "compare.html");
        var invocation = CommandRunner.Run(CompareCommand.Create(), "compare", first, second, "--html", page);
        Assert.Equal(0, invocation.Code);
        Assert.Matches(@"^mcts +60\.0% \[.*\] +0 +100 +30\.0% \[.*\] +0 +100", invocation.Output.Split('\n')[2]);
        string html = File.ReadAllText(page);
        Assert.Contains("<h1 id=\"comparison-of-2-runs\">Comparison of 2 runs</h1>", html);
        Assert.Contains("<h2 id=\"first\">first</h2>", html);
        Assert.Contains("<h2 id=\"second\">second</h2>", html);
        Assert.True(html.Split("<svg ").Length - 1 >= 4, "both runs' plots are inline");
        Assert.DoesNotContain("is not in the report", html);
        Assert.False(File.Exists(Path.Combine(first, "summary.md")), "compare writes nothing into the runs");

        var error = Assert.Throws<UserInputException>(() => CommandRunner.Run(CompareCommand.Create(), "compare", first, "--html", Path.Combine(_folder, "no", "such", "x.html")));
        Assert.Contains("--html", error.Message);
    }
}
