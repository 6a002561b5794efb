using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// A report as one self-contained HTML page: Markdown (summary.md, or a comparison built from summaries) rendered to
/// HTML with every plot inline as SVG. Being built from the Markdown, any table added to the summary shows here too.
/// It renders the Markdown the reports write: headings, paragraphs, pipe tables with their column alignment, images
/// alone on a line, lists, fenced code, code spans, bold, emphasis and links. A Content-Security-Policy forbids loading
/// anything at all, so the page can only ever show what it carries, and a browser reports any attempt as an error.
/// </summary>
internal static partial class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; line-height: 1.45; }
        h1 { font-size: 1.7rem; border-bottom: 2px solid #4e79a7; padding-bottom: .3rem; }
        h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
        h3 { font-size: 1.1rem; margin-top: 1.6rem; }
        nav { background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: .5rem 1rem; }
        nav ul { margin: .3rem 0; padding-left: 1.2rem; }
        table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; display: block; overflow-x: auto; }
        th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; }
        th { background: #f6f8fa; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
        td.center, th.center { text-align: center; }
        figure { margin: 1rem 0; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: .85rem; color: #555; }
        code { background: #f3f3f3; padding: 0 .25rem; border-radius: 3px; font-size: .9em; }
        pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
        .missing { color: #b00; }
        """;

    /// <summary>
    /// The page of <paramref name="markdown"/>. <paramref name="svgOf"/> gives the SVG text of an image's target (e.g.
    /// "plots/accuracy.svg"), null for one it does not have: that image becomes a visible note, never a link to fetch.
    /// </summary>
    public static string Render(string markdown, Func<string, string?> svgOf)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var body = new StringBuilder();
        var headings = new List<(int Level, string Id, string Html)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? title = null;
        var paragraph = new List<string>();

        void FlushParagraph()
        {
            if (paragraph.Count == 0) return;
            body.Append("<p>").Append(Inline(string.Join(' ', paragraph), svgOf)).Append("</p>\n");
            paragraph.Clear();
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                FlushParagraph();
            }
            else if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].Trim().StartsWith("```", StringComparison.Ordinal); i++) code.Add(lines[i]);
                body.Append("<pre><code>").Append(Escape(string.Join('\n', code))).Append("</code></pre>\n");
            }
            else if (HeadingPattern().Match(trimmed) is { Success: true } heading)
            {
                FlushParagraph();
                int level = heading.Groups[1].Length;
                string html = Inline(heading.Groups[2].Value.Trim(), svgOf);
                string id = UniqueId(WebUtility.HtmlDecode(TagPattern().Replace(html, "")), ids);
                title ??= level == 1 ? heading.Groups[2].Value.Trim() : null;
                headings.Add((level, id, html));
                body.Append(CultureInfo.InvariantCulture, $"<h{level} id=\"{id}\">{html}</h{level}>\n");
            }
            else if (trimmed.StartsWith('|') && i + 1 < lines.Length && SeparatorPattern().IsMatch(lines[i + 1].Trim()))
            {
                FlushParagraph();
                var header = Cells(trimmed);
                var alignments = Cells(lines[i + 1].Trim()).Select(Alignment).ToList();
                var rows = new List<List<string>>();
                for (i += 2; i < lines.Length && lines[i].Trim().StartsWith('|'); i++) rows.Add(Cells(lines[i].Trim()));
                i--;
                AppendTable(body, header, alignments, rows, svgOf);
            }
            else if (ImagePattern().Match(trimmed) is { Success: true } image && image.Length == trimmed.Length)
            {
                FlushParagraph();
                body.Append("<figure>").Append(Image(image.Groups[1].Value, image.Groups[2].Value, svgOf))
                    .Append("<figcaption>").Append(Escape(image.Groups[1].Value)).Append("</figcaption></figure>\n");
            }
            else if (ListPattern().Match(trimmed) is { Success: true } item)
            {
                FlushParagraph();
                bool ordered = char.IsDigit(item.Groups[1].Value[0]);
                body.Append(ordered ? "<ol>\n" : "<ul>\n");
                for (; i < lines.Length && ListPattern().Match(lines[i].Trim()) is { Success: true } next && char.IsDigit(next.Groups[1].Value[0]) == ordered; i++)
                    body.Append("<li>").Append(Inline(next.Groups[2].Value, svgOf)).Append("</li>\n");
                i--;
                body.Append(ordered ? "</ol>\n" : "</ul>\n");
            }
            else
            {
                paragraph.Add(trimmed);
            }
        }
        FlushParagraph();

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        // Nothing may be fetched: no scripts, no fonts, no images by URL. Styles are the page's own.
        page.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append("<title>").Append(Escape(title ?? "Reasoner report")).Append("</title>\n");
        page.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        // Contents of the sections go under the title, when there are several to jump between.
        string content = body.ToString();
        var sections = headings.Where(h => h.Level == 2).ToList();
        if (sections.Count > 1)
        {
            var nav = new StringBuilder("<nav><strong>Contents</strong><ul>\n");
            foreach (var (_, id, html) in sections) nav.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{id}\">{html}</a></li>\n");
            nav.Append("</ul></nav>\n");
            int afterTitle = content.IndexOf("</h1>\n", StringComparison.Ordinal) is var end and >= 0 ? end + "</h1>\n".Length : 0;
            content = content.Insert(afterTitle, nav.ToString());
        }
        page.Append(content).Append("</body>\n</html>\n");
        return page.ToString();
    }

    private static void AppendTable(StringBuilder body, List<string> header, List<string?> alignments, List<List<string>> rows, Func<string, string?> svgOf)
    {
        string Cell(string tag, string text, int column)
        {
            string? alignment = column < alignments.Count ? alignments[column] : null;
            string open = alignment is null ? $"<{tag}>" : $"<{tag} class=\"{alignment}\">";
            return $"{open}{Inline(text, svgOf)}</{tag}>";
        }
        body.Append("<table>\n<thead><tr>");
        for (int c = 0; c < header.Count; c++) body.Append(Cell("th", header[c], c));
        body.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            // Rows pad or cut to the header's columns, as GitHub's Markdown does.
            for (int c = 0; c < header.Count; c++) body.Append(Cell("td", c < row.Count ? row[c] : "", c));
            body.Append("</tr>\n");
        }
        body.Append("</tbody>\n</table>\n");
    }

    /// <summary>A table row's cells: split on '|' not escaped as '\|', the outer pipes dropped.</summary>
    private static List<string> Cells(string row)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        string inner = row.Trim();
        if (inner.StartsWith('|')) inner = inner[1..];
        if (inner.EndsWith('|') && !inner.EndsWith("\\|", StringComparison.Ordinal)) inner = inner[..^1];
        for (int i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && inner[i + 1] == '|')
            {
                cell.Append('|');
                i++;
            }
            else if (inner[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(inner[i]);
            }
        }
        cells.Add(cell.ToString().Trim());
        return cells;
    }

    private static string? Alignment(string separator) =>
        separator.StartsWith(':') && separator.EndsWith(':') ? "center"
        : separator.EndsWith(':') ? "right"
        : null;

    /// <summary>Inline Markdown: code spans verbatim; elsewhere images, links, bold and emphasis; all text escaped.</summary>
    private static string Inline(string text, Func<string, string?> svgOf)
    {
        var html = new StringBuilder();
        var parts = text.Split('`');
        for (int p = 0; p < parts.Length; p++)
        {
            // Odd parts are inside backticks; an unclosed backtick (even count of parts) stays a backtick.
            if (p % 2 == 1 && p < parts.Length - 1)
            {
                html.Append("<code>").Append(Escape(parts[p])).Append("</code>");
                continue;
            }
            if (p % 2 == 1) html.Append('`');
            // Images go in last, through placeholders, so that the other patterns never touch an SVG's text.
            var images = new List<string>();
            string segment = ImagePattern().Replace(Escape(parts[p]), m =>
            {
                images.Add(Image(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value), svgOf));
                return $"\u0000{images.Count - 1}\u0000";
            });
            segment = LinkPattern().Replace(segment, m => $"<a href=\"{m.Groups[2].Value}\">{m.Groups[1].Value}</a>");
            segment = BoldPattern().Replace(segment, "<strong>$1</strong>");
            segment = EmphasisPattern().Replace(segment, "$1<em>$2</em>");
            segment = PlaceholderPattern().Replace(segment, m => images[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)]);
            html.Append(segment);
        }
        return html.ToString();
    }

    private static string Image(string alt, string target, Func<string, string?> svgOf)
    {
        if (target.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && svgOf(target) is { } svg)
        {
            // An XML declaration is not allowed inside HTML; the <svg> element itself is.
            int start = svg.IndexOf("<svg", StringComparison.Ordinal);
            if (start >= 0) return $"<span class=\"plot\" role=\"img\" aria-label=\"{Escape(alt)}\">{svg[start..]}</span>";
        }
        return $"<span class=\"missing\">[plot {Escape(target)} is not in the report]</span>";
    }

    private static string UniqueId(string text, HashSet<string> ids)
    {
        string slug = NonWordPattern().Replace(text.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length == 0) slug = "section";
        string id = slug;
        for (int n = 2; !ids.Add(id); n++) id = $"{slug}-{n}";
        return id;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")]
    private static partial Regex SeparatorPattern();

    [GeneratedRegex(@"!\[([^\]]*)\]\(([^)\s]+)\)")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex BoldPattern();

    [GeneratedRegex(@"(^|[\s(])\*([^*\s][^*]*?)\*")]
    private static partial Regex EmphasisPattern();

    [GeneratedRegex(@"^([-*]|\d+\.)\s+(.*)$")]
    private static partial Regex ListPattern();

    [GeneratedRegex("\u0000([0-9]+)\u0000")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWordPattern();
}
