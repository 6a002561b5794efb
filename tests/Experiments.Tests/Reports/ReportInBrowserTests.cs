using System.Text.Json.Nodes;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;

namespace Reasoner.Experiments.Tests.Reports;

/// <summary>
/// report.html and compare's page opened in headless Chromium (Debian's chromium; .ci/run installs it): they render
/// (a screenshot with ink and the plots' colours), carry every plot and table, and log no error. Where the machine has
/// no Chromium the tests say so and are skipped; they never pass without looking.
/// </summary>
public sealed class ReportInBrowserTests
{
    /// <summary>What the page holds, as the browser laid it out: each inline plot's size and series, the tables.</summary>
    private const string Probe = """
        ({
          plots: [...document.querySelectorAll('svg')].map(s => { const r = s.getBoundingClientRect(); return { width: r.width, height: r.height, series: s.querySelectorAll('g.series').length }; }),
          tables: document.querySelectorAll('table').length,
          missing: document.querySelectorAll('.missing').length,
          title: document.title
        })
        """;

    // The first colour of the plots' palette: System 1's series.
    private static readonly (byte R, byte G, byte B) FirstSeries = (0x4e, 0x79, 0xa7);

    private static string Chromium()
    {
        string? executable = HeadlessChromium.Find();
        Skip.If(executable is null, "chromium is not on PATH: .ci/run installs Debian's chromium (apt-get install chromium); without it the HTML report cannot be opened in a browser here");
        return executable!;
    }

    private static void AssertRendered(PageVisit visit, int plots, int tables)
    {
        Assert.True(visit.Errors.Count == 0, "the page logged errors:\n" + string.Join("\n", visit.Errors));
        var probe = visit.Probe!.AsObject();
        var laidOut = probe["plots"]!.AsArray();
        Assert.Equal(plots, laidOut.Count);
        Assert.All(laidOut, plot =>
        {
            Assert.True(plot!["width"]!.GetValue<double>() > 300 && plot["height"]!.GetValue<double>() > 150, $"a plot is laid out at {plot.ToJsonString()}");
            Assert.True(plot["series"]!.GetValue<int>() >= 1, "a plot has no series");
        });
        Assert.Equal(tables, probe["tables"]!.GetValue<int>());
        Assert.Equal(0, probe["missing"]!.GetValue<int>());

        var image = PngImage.Decode(visit.Screenshot);
        Assert.True(image.Width >= 1000 && image.Height >= 2000, $"screenshot of {image.Width} x {image.Height}");
        double inked = (double)image.Inked() / (image.Width * image.Height);
        Assert.True(inked > 0.01, $"the screenshot is blank: {inked:P2} of its pixels are not white");
        Assert.True(image.Count(FirstSeries.R, FirstSeries.G, FirstSeries.B) > 100, "the plots' first series colour is nowhere in the screenshot");
    }

    [SkippableFact]
    public async Task TheRunReportRendersEveryTableAndPlotWithoutErrors()
    {
        string chromium = Chromium();
        using var temp = new TempFolder();
        var run = RunReportTests.WriteSyntheticRun(temp.Path, compute: true);
        RunReport.Write(run);
        int tables = File.ReadAllLines(run.SummaryPath).Count(l => l.StartsWith("|---", StringComparison.Ordinal));
        int plots = Directory.GetFiles(run.PlotsPath, "*.svg").Length;

        await using var browser = await HeadlessChromium.StartAsync(chromium);
        var visit = await browser.VisitAsync(new Uri(run.ReportPath).AbsoluteUri, Probe);

        AssertRendered(visit, plots, tables);
        Assert.Equal(run.Name, visit.Probe!["title"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task TheComparisonPageRendersEveryRunsSummaryWithoutErrors()
    {
        string chromium = Chromium();
        using var temp = new TempFolder();
        var first = RunReportTests.WriteSyntheticRun(temp.Path, "first", compute: true);
        var second = RunReportTests.WriteSyntheticRun(temp.Path, "second");
        RunReport.Write(first);
        RunReport.Write(second);
        string page = Path.Combine(temp.Path, "compare.html");
        File.WriteAllText(page, RunReport.ComparisonHtml([first, second]));
        int tables = 1 + new[] { first, second }.Sum(r => File.ReadAllLines(r.SummaryPath).Count(l => l.StartsWith("|---", StringComparison.Ordinal)));
        int plots = new[] { first, second }.Sum(r => Directory.GetFiles(r.PlotsPath, "*.svg").Length);

        await using var browser = await HeadlessChromium.StartAsync(chromium);
        AssertRendered(await browser.VisitAsync(new Uri(page).AbsoluteUri, Probe), plots, tables);
    }

    [SkippableFact]
    public async Task TheBrowserCheckSeesErrorsAndBlankPages()
    {
        // The checks above can fail: a script error, a blocked external image and an empty page are all seen.
        string chromium = Chromium();
        using var temp = new TempFolder();
        string broken = Path.Combine(temp.Path, "broken.html");
        File.WriteAllText(broken, """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title>
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head>
            <body><img src="https://example.invalid/plot.png"><script>console.error("broken on purpose"); undefinedFunction();</script></body></html>
            """);
        string blank = Path.Combine(temp.Path, "blank.html");
        File.WriteAllText(blank, "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>");

        await using var browser = await HeadlessChromium.StartAsync(chromium);
        var visit = await browser.VisitAsync(new Uri(broken).AbsoluteUri, Probe);
        Assert.Contains(visit.Errors, e => e.Contains("broken on purpose", StringComparison.Ordinal));
        Assert.Contains(visit.Errors, e => e.StartsWith("exception:", StringComparison.Ordinal) && e.Contains("undefinedFunction", StringComparison.Ordinal));
        Assert.Contains(visit.Errors, e => e.Contains("example.invalid", StringComparison.Ordinal));

        var empty = await browser.VisitAsync(new Uri(blank).AbsoluteUri, Probe);
        Assert.Empty(empty.Errors);
        Assert.Equal(0, PngImage.Decode(empty.Screenshot).Inked());
        Assert.Empty(empty.Probe!["plots"]!.AsArray());
    }
}
