using System.Text.RegularExpressions;
using System.Xml.Linq;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Tests.Reports;

public class RunReportTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    internal static RunDirectory WriteSyntheticRun(string root, string name = "synthetic", bool outcomes = true, bool compute = false)
    {
        var run = RunDirectory.Create(root, name, new FixedClock(Start));
        using (var writer = MetricsWriter.ForRun(run))
        {
            SyntheticRun.Metrics().ForEach(writer.Append);
        }
        if (outcomes)
        {
            using var writer = OutcomesWriter.ForRun(run);
            (compute ? SyntheticRun.OutcomesWithCompute() : SyntheticRun.Outcomes()).ForEach(writer.Append);
        }
        return run;
    }

    [Fact]
    public void SummaryHasATableRowPerMethodAndIterationWithPairedTests()
    {
        using var temp = new TempFolder();
        var run = WriteSyntheticRun(temp.Path);
        RunReport.Write(run);
        string summary = File.ReadAllText(run.SummaryPath);

        Assert.Contains("## Iteration 0 (after imitation)", summary);
        Assert.Contains("| system1 | 40.0% [30.9%, 49.8%] | 100 | 30 | 30 | 0 | 2 | baseline |", summary);
        // b = 10, c = 25: exact McNemar p = 0.0167.
        Assert.Contains("| mcts | 55.0% [45.2%, 64.4%] | 100 | 1500 | 4000 | 64 | 60 | b=10 c=25, p=0.017 |", summary);
        Assert.Contains("## Iteration 3", summary);
        Assert.Contains("| mcts | 85.0%", summary);
        Assert.Contains("## Reward curve", summary);
        Assert.Contains("| 2 | 10 | 0.445 [", summary);
        Assert.Contains("![accuracy](plots/accuracy.svg)", summary);
    }

    [Fact]
    public void EachIterationComparesEveryMethodAtEqualTokensAndSaysWhetherSearchIsAhead()
    {
        using var temp = new TempFolder();
        var run = WriteSyntheticRun(temp.Path, compute: true);
        var written = RunReport.Write(run);
        string summary = File.ReadAllText(run.SummaryPath);

        Assert.Contains("Several evaluation seeds (n x s) are pooled per problem", summary);
        Assert.Contains("| system1 | 40.0% [30.9%, 49.8%] | 100 x 2 seeds |", summary);
        // MCTS solves p10..p64, and p90..p99 under seed 1 only: 60% over 100 problems, scores of 1/2 narrowing the interval.
        Assert.Contains("| mcts | 60.0% [", summary);
        Assert.Contains("points, p<0.001 (sign-flip) |", summary);
        Assert.Contains("### Equal compute (after imitation)", summary);
        Assert.Contains("### Equal compute (iteration 3)", summary);
        Assert.Contains("maj@k, best-of-k and pass@k: k-subsets of 8 samples per problem and seed.", summary);
        Assert.Contains("| maj@8 | 960 | 0 |", summary);
        Assert.Contains("| best-of-8 | 960 | 8 |", summary);
        Assert.Contains("| pass@8 (oracle) | 960 |", summary);
        // After imitation MCTS at 16 simulations solves p10..p59: 20 problems System 1 misses, 10 it alone solves
        // (McNemar p = 0.099). 750 tokens are 7 samples of 120 (840 tokens): maj@7 is right on a problem with 3 correct
        // samples for 5 of its 8 subsets of 7, with 4 always, else never: 32.5%. 1500 tokens would take 13 samples of 8.
        Assert.Contains("| mcts @ simulations=16 | 750 | 50.0% [40.4%, 59.6%] | not significantly different (+10.0 points, p=0.099) " +
            "| maj@7 (840 tokens, 32.5%): ahead (+17.5 points, p=0.010) | best-of-7 (840 tokens, 77.5%): behind (-27.5 points, p<0.001) |", summary);
        Assert.Contains("| mcts | 1500 | 60.0% [", summary);
        Assert.Contains("not matched: 13 samples would cost its tokens (raise evaluation.budgets.samples)", summary);
        Assert.Contains("![equal-compute-3](plots/equal-compute-3.svg)", summary);
        Assert.DoesNotContain("![equal-compute-3](plots/equal-compute-3.svg)", summary[summary.IndexOf("## Plots", StringComparison.Ordinal)..]);
        Assert.Contains(Path.Combine(run.PlotsPath, "equal-compute-0.svg"), written);

        XNamespace svg = "http://www.w3.org/2000/svg";
        var plot = XDocument.Load(Path.Combine(run.PlotsPath, "equal-compute-3.svg"));
        var names = plot.Descendants(svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("pass@k (oracle)", names);
        Assert.Contains("maj@k", names);
        // system1, mcts at both sizes, maj@k, best-of-k, pass@k.
        Assert.Equal(5, plot.Descendants(svg + "g").Count(g => (string?)g.Attribute("class") == "series"));
        Assert.Single(plot.Descendants(svg + "polyline"), l => l.Attribute("stroke-dasharray") is not null);
    }

    [Fact]
    public void TheHtmlReportCarriesEveryTableAndPlotAndLoadsNothing()
    {
        using var temp = new TempFolder();
        var run = WriteSyntheticRun(temp.Path, compute: true);
        RunReport.Write(run);
        string html = File.ReadAllText(run.ReportPath);
        string summary = File.ReadAllText(run.SummaryPath);

        int tables = summary.Split('\n').Count(l => l.StartsWith("|---", StringComparison.Ordinal));
        Assert.Equal(tables, Regex.Matches(html, "<table>").Count);
        Assert.Equal(Directory.GetFiles(run.PlotsPath, "*.svg").Length, Regex.Matches(html, "<svg ").Count);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain(" src=", html);
        // The only URL is the SVG namespace, which names and never loads.
        Assert.All(Regex.Matches(html, "https?://[^\"]+"), url => Assert.Equal("http://www.w3.org/2000/svg", url.Value));
        Assert.Contains("<td class=\"right\">1500</td>", html);
        Assert.Contains("<h3 id=\"equal-compute-iteration-3\">Equal compute (iteration 3)</h3>", html);
    }

    [Fact]
    public void WithoutOutcomesThePairedColumnIsEmpty()
    {
        using var temp = new TempFolder();
        var run = WriteSyntheticRun(temp.Path, outcomes: false);
        RunReport.Write(run);
        Assert.Contains("| 60 | - |", File.ReadAllText(run.SummaryPath));
    }

    [Fact]
    public void PlotsAreValidSvgWithOneSeriesPerMethod()
    {
        using var temp = new TempFolder();
        var run = WriteSyntheticRun(temp.Path);
        var written = RunReport.Write(run);

        string[] expected = ["accuracy.svg", "reward.svg", "loss.svg", "accuracy-vs-tokens.svg"];
        Assert.Equal(expected.Select(f => Path.Combine(run.PlotsPath, f)).Prepend(run.ReportPath).Prepend(run.SummaryPath), written);
        XNamespace svg = "http://www.w3.org/2000/svg";
        foreach (string file in expected)
        {
            var document = XDocument.Load(Path.Combine(run.PlotsPath, file));
            Assert.Equal(svg + "svg", document.Root!.Name);
        }
        var accuracy = XDocument.Load(Path.Combine(run.PlotsPath, "accuracy.svg"));
        var series = accuracy.Descendants(svg + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.Equal(2, series.Count);
        // One marker per iteration, with an error bar of three lines (bar and two caps) each.
        Assert.All(series, s => Assert.Equal(SyntheticRun.Iterations + 1, s.Elements(svg + "circle").Count()));
        Assert.All(series, s => Assert.Equal(3 * (SyntheticRun.Iterations + 1), s.Elements(svg + "line").Count()));
        Assert.Contains(accuracy.Descendants(svg + "text"), t => t.Value == "system1");
    }

    [Fact]
    public void CompareShowsEachRunsFinalEvaluation()
    {
        using var temp = new TempFolder();
        var baseline = WriteSyntheticRun(temp.Path, "baseline");
        var imitationOnly = RunDirectory.Create(temp.Path, "imitation-only", new FixedClock(Start));
        using (var writer = MetricsWriter.ForRun(imitationOnly))
        {
            writer.Append(MetricsRow.Evaluation(0, "system1", 120, 300, generatedTokens: 9_000));
        }
        var comparison = RunComparison.Load([baseline, imitationOnly]);

        Assert.Equal(["system1", "mcts"], comparison.Methods);
        Assert.Equal(3, comparison.Rows[0][0]!.Iteration);
        Assert.Null(comparison.Rows[1][1]);
        var lines = comparison.RenderText().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("method ", lines[0]);
        Assert.Contains("baseline-20260102-030405 accuracy [95% CI]", lines[0]);
        Assert.Matches(@"^system1 +55\.0% \[45\.2%, 64\.4%\] +3 +30 +40\.0% \[34\.6%, 45\.6%\] +0 +30$", lines[1]);
        Assert.Matches(@"^mcts +85\.0% \[.*\] +3 +1500 +- +- +-$", lines[2]);
    }

    [Fact]
    public void SeedsWithoutOutcomesCountEachProblemOnce()
    {
        // Two seeds over the same 50 problems, without per-problem outcomes: 40% over 50 problems, not over 100 searches.
        var results = MethodResult.From([
            MetricsRow.Evaluation(0, "mcts", 30, 50, generatedTokens: 100),
            MetricsRow.Evaluation(0, "mcts", 10, 50, generatedTokens: 300),
        ], []);
        var pooled = Assert.Single(results);
        Assert.Equal((50, 2), (pooled.N, pooled.Seeds));
        Assert.Equal(Proportions.Wilson(20, 50), pooled.Accuracy);
        Assert.Equal(4.0, pooled.GeneratedTokensPerProblem);
    }

    [Fact]
    public void PairedTestMatchesProblemsById()
    {
        var system1 = ProblemScores.TopOne(SyntheticRun.Outcomes(), 0, "system1")!;
        var test = system1.PairedWith(ProblemScores.TopOne(SyntheticRun.Outcomes(), 0, "mcts")!);
        Assert.Equal((100, 10, 25), (test.Problems, test.OnlyFirst, test.OnlySecond));
        Assert.Equal(0.01667384780012071, test.PValue, 10);
        Assert.Null(ProblemScores.TopOne(SyntheticRun.Outcomes(), 9, "system1"));
    }
}
