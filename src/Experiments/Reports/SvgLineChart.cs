using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;

namespace Reasoner.Experiments.Reports;

/// <summary>A point of a series; <see cref="Low"/> and <see cref="High"/> draw an error bar (e.g. a 95% interval);
/// <see cref="Label"/> is written beside the marker (e.g. the iteration of a point on a compute axis).</summary>
public readonly record struct ChartPoint(double X, double Y, double? Low = null, double? High = null, string? Label = null);

/// <summary>A named series; <see cref="Connect"/> false draws markers only; <see cref="Dashed"/> draws its line dashed
/// (a bound rather than a method, such as pass@k).</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Connect = true, bool Dashed = false);

/// <summary>
/// A line chart written as plain SVG (no plotting library is available): axes with nice ticks, grid, axis labels,
/// a legend beside the plot, several series with markers and optional error bars. Fixed size, so plots of different
/// runs line up side by side.
/// </summary>
/// <param name="YMin">Fixes the bottom of the y axis (e.g. 0 for accuracy); null fits the data.</param>
/// <param name="IntegerX">Ticks only at whole numbers (iterations).</param>
/// <param name="LogX">Logarithmic x axis, for compute that spans orders of magnitude; points with x &lt;= 0 are left out.</param>
public sealed record SvgLineChart(string Title, string XLabel, string YLabel, double? YMin = null, double? YMax = null,
    bool IntegerX = false, bool LogX = false)
{
    private const double Width = 720, Height = 420;
    private const int MaxMarkers = 60;
    private const double Left = 72, Right = Width - 180, Top = 44, Bottom = Height - 56;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Tableau 10: distinguishable, and readable by most colour-blind people in the first few entries.
    private static readonly ImmutableArray<string> Palette =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    public string Render(IReadOnlyList<ChartSeries> series)
    {
        var root = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")),
            Text(Width / 2, 24, Title, "middle", 15, bold: true));

        var drawable = series.Select(s => s with { Points = s.Points.Where(p => IsDrawable(p)).ToList() }).ToList();
        var points = drawable.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            root.Add(Text((Left + Right) / 2, (Top + Bottom) / 2, "no data", "middle", 14));
            return root.ToString();
        }

        var (xMin, xMax, xTicks) = LogX
            ? LogTicks(points.Min(p => Math.Log10(p.X)), points.Max(p => Math.Log10(p.X)))
            : NiceTicks(points.Min(p => p.X), points.Max(p => p.X), IntegerX);
        double dataYMin = points.Min(p => Math.Min(p.Y, p.Low ?? p.Y)), dataYMax = points.Max(p => Math.Max(p.Y, p.High ?? p.Y));
        var (yMin, yMax, yTicks) = NiceTicks(YMin ?? dataYMin, YMax ?? dataYMax, integer: false);
        (yMin, yMax) = (YMin ?? yMin, YMax ?? yMax);

        double MapX(double x) => Left + ((LogX ? Math.Log10(x) : x) - xMin) / (xMax - xMin) * (Right - Left);
        double MapY(double y) => Bottom - (y - yMin) / (yMax - yMin) * (Bottom - Top);

        foreach (double tick in yTicks.Where(t => t >= yMin - 1e-12 && t <= yMax + 1e-12))
        {
            double y = MapY(tick);
            root.Add(Line(Left, y, Right, y, "#e0e0e0", 1));
            root.Add(Text(Left - 6, y + 4, Format(tick), "end", 11));
        }
        foreach (double tick in xTicks)
        {
            double x = Left + (tick - xMin) / (xMax - xMin) * (Right - Left);
            root.Add(Line(x, Bottom, x, Bottom + 5, "#333", 1));
            root.Add(Text(x, Bottom + 18, Format(LogX ? Math.Pow(10, tick) : tick), "middle", 11));
        }
        root.Add(Line(Left, Top, Left, Bottom, "#333", 1), Line(Left, Bottom, Right, Bottom, "#333", 1));
        root.Add(Text((Left + Right) / 2, Height - 14, XLabel, "middle", 13));
        var yLabel = Text(0, 0, YLabel, "middle", 13);
        yLabel.Add(new XAttribute("transform", $"translate(18 {N((Top + Bottom) / 2)}) rotate(-90)"));
        root.Add(yLabel);

        for (int i = 0; i < drawable.Count; i++)
        {
            string colour = Palette[i % Palette.Length];
            var group = new XElement(Svg + "g", new XAttribute("class", "series"), new XAttribute("stroke", colour), new XAttribute("fill", colour));
            var ordered = drawable[i].Points.OrderBy(p => p.X).ToList();
            if (drawable[i].Connect && ordered.Count > 1)
            {
                var polyline = new XElement(Svg + "polyline",
                    new XAttribute("points", string.Join(' ', ordered.Select(p => $"{N(MapX(p.X))},{N(MapY(p.Y))}"))),
                    new XAttribute("fill", "none"), new XAttribute("stroke-width", 2));
                if (drawable[i].Dashed) polyline.Add(new XAttribute("stroke-dasharray", "6 4"));
                group.Add(polyline);
            }
            foreach (var point in ordered)
            {
                double x = MapX(point.X);
                if (point.Low is { } low && point.High is { } high)
                {
                    double yLow = MapY(Math.Max(low, yMin)), yHigh = MapY(Math.Min(high, yMax));
                    group.Add(Line(x, yLow, x, yHigh, null, 1.5), Line(x - 4, yLow, x + 4, yLow, null, 1.5), Line(x - 4, yHigh, x + 4, yHigh, null, 1.5));
                }
                // Markers on a long curve (thousands of training steps) would hide the line.
                if (!drawable[i].Connect || ordered.Count <= MaxMarkers)
                {
                    group.Add(new XElement(Svg + "circle", new XAttribute("cx", N(x)), new XAttribute("cy", N(MapY(point.Y))), new XAttribute("r", 3.5)));
                }
                if (point.Label is not null)
                {
                    group.Add(Text(x + 7, MapY(point.Y) + 4, point.Label, "start", 10));
                }
            }
            root.Add(group);

            double legendY = Top + 8 + i * 20;
            if (drawable[i].Connect)
            {
                var legendLine = Line(Right + 16, legendY, Right + 40, legendY, colour, 2.5);
                if (drawable[i].Dashed) legendLine.Add(new XAttribute("stroke-dasharray", "6 4"));
                root.Add(legendLine);
            }
            root.Add(new XElement(Svg + "circle", new XAttribute("cx", N(Right + 28)), new XAttribute("cy", N(legendY)), new XAttribute("r", 3.5), new XAttribute("fill", colour)));
            root.Add(Text(Right + 46, legendY + 4, drawable[i].Name, "start", 12));
        }
        return root.ToString();
    }

    public void Save(string path, IReadOnlyList<ChartSeries> series) => File.WriteAllText(path, Render(series));

    private bool IsDrawable(ChartPoint point) =>
        double.IsFinite(point.X) && double.IsFinite(point.Y) && (!LogX || point.X > 0);

    /// <summary>
    /// Ticks at 1, 2 or 5 times a power of ten (Heckbert's "nice numbers"), about five of them, covering [min, max];
    /// the axis runs from the first tick to the last. A single value gets a range around it.
    /// </summary>
    internal static (double Min, double Max, List<double> Ticks) NiceTicks(double min, double max, bool integer)
    {
        if (max - min < 1e-12)
        {
            double pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 1;
            (min, max) = (min - pad, max + pad);
        }
        double rough = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / magnitude;
        double step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude;
        if (integer)
        {
            step = Math.Max(1, Math.Round(step));
        }
        double first = Math.Floor(min / step + 1e-9) * step, last = Math.Ceiling(max / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double tick = first; tick <= last + step * 1e-6; tick += step)
        {
            ticks.Add(Math.Round(tick / step) * step);
        }
        return (first, last, ticks);
    }

    /// <summary>Ticks at powers of ten over log10 values, widened to whole decades.</summary>
    private static (double Min, double Max, List<double> Ticks) LogTicks(double logMin, double logMax)
    {
        double first = Math.Floor(logMin), last = Math.Max(Math.Ceiling(logMax), first + 1);
        var ticks = new List<double>();
        for (double decade = first; decade <= last; decade++)
        {
            ticks.Add(decade);
            // Few decades: label 2x and 5x as well, so the axis is readable.
            if (last - first <= 2 && decade < last)
            {
                ticks.Add(decade + Math.Log10(2));
                ticks.Add(decade + Math.Log10(5));
            }
        }
        return (first, last, ticks);
    }

    /// <summary>Short tick labels: 0.25, 3, 1.5k, 2M.</summary>
    internal static string Format(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude >= 1e6 ? (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M"
            : magnitude >= 1e4 ? (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k"
            : value.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static XElement Line(double x1, double y1, double x2, double y2, string? stroke, double width)
    {
        var line = new XElement(Svg + "line", new XAttribute("x1", N(x1)), new XAttribute("y1", N(y1)),
            new XAttribute("x2", N(x2)), new XAttribute("y2", N(y2)), new XAttribute("stroke-width", width));
        if (stroke is not null)
        {
            line.Add(new XAttribute("stroke", stroke));
        }
        return line;
    }

    private static XElement Text(double x, double y, string text, string anchor, double size, bool bold = false)
    {
        var element = new XElement(Svg + "text", new XAttribute("x", N(x)), new XAttribute("y", N(y)),
            new XAttribute("text-anchor", anchor), new XAttribute("font-size", size), new XAttribute("fill", "#222"),
            new XAttribute("stroke", "none"), text);
        if (bold)
        {
            element.Add(new XAttribute("font-weight", "bold"));
        }
        return element;
    }
}
