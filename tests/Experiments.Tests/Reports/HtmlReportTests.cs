using Reasoner.Experiments.Reports;

namespace Reasoner.Experiments.Tests.Reports;

public class HtmlReportTests
{
    private static string Render(string markdown, string? svg = null) =>
        HtmlReport.Render(markdown, link => link == "plots/a.svg" ? svg : null);

    [Fact]
    public void TablesKeepTheirColumnsAlignmentAndEscapedPipes()
    {
        string html = Render("""
            | method | accuracy | tokens | note |
            |---|---|---:|:---:|
            | mcts | 60.0% [50.7%, 68.6%] | 1500 | a \| b |
            | short |
            """);
        Assert.Contains("<thead><tr><th>method</th><th>accuracy</th><th class=\"right\">tokens</th><th class=\"center\">note</th></tr></thead>", html);
        Assert.Contains("<tr><td>mcts</td><td>60.0% [50.7%, 68.6%]</td><td class=\"right\">1500</td><td class=\"center\">a | b</td></tr>", html);
        // A short row is padded to the header's four columns.
        Assert.Contains("<tr><td>short</td><td></td><td class=\"right\"></td><td class=\"center\"></td></tr>", html);
    }

    [Fact]
    public void TextIsEscapedAndInlineMarkupRendered()
    {
        string html = Render("# Run <1> & co\n\nA **bold** claim, *some* `code <b>` and [a link](#x).\n\n- one\n- two\n\n```\nx < y\n```\n");
        Assert.Contains("<title>Run &lt;1&gt; &amp; co</title>", html);
        Assert.Contains("<h1 id=\"run-1-co\">Run &lt;1&gt; &amp; co</h1>", html);
        Assert.Contains("<p>A <strong>bold</strong> claim, <em>some</em> <code>code &lt;b&gt;</code> and <a href=\"#x\">a link</a>.</p>", html);
        Assert.Contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", html);
        Assert.Contains("<pre><code>x &lt; y</code></pre>", html);
        Assert.DoesNotContain("<b>", html);
    }

    [Fact]
    public void WrappedLinesJoinIntoOneParagraphAndHeadingsGetUniqueIds()
    {
        string html = Render("# T\n\n## Iteration 1\n\nfirst line\nsecond line\n\n## Iteration 1\n");
        Assert.Contains("<p>first line second line</p>", html);
        Assert.Contains("<h2 id=\"iteration-1\">", html);
        Assert.Contains("<h2 id=\"iteration-1-2\">", html);
        // Two sections: contents under the title.
        Assert.Matches("</h1>\n<nav><strong>Contents</strong><ul>\n<li><a href=\"#iteration-1\">", html);
    }

    [Fact]
    public void PlotsAreInlinedAndAMissingOneIsSaidNeverFetched()
    {
        const string svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>**not bold**</text></svg>";
        string html = Render("![accuracy](plots/a.svg)\n\n![gone](plots/b.svg)\n", svg);
        Assert.Contains("<figure><span class=\"plot\" role=\"img\" aria-label=\"accuracy\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>**not bold**</text></svg></span><figcaption>accuracy</figcaption></figure>", html);
        Assert.DoesNotContain("<?xml", html);
        Assert.Contains("[plot plots/b.svg is not in the report]", html);
        Assert.Contains("default-src 'none'", html);
    }
}
