using System.Xml.Linq;
using Reasoner.Experiments.Reports;

namespace Reasoner.Experiments.Tests.Reports;

public class SvgLineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(0, 1, 0, 1, 0.2)]
    [InlineData(3, 97, 0, 100, 20)]
    [InlineData(0.31, 0.64, 0.3, 0.65, 0.05)]
    public void TicksAreNiceNumbersCoveringTheData(double min, double max, double first, double last, double step)
    {
        var (axisMin, axisMax, ticks) = SvgLineChart.NiceTicks(min, max, integer: false);
        Assert.Equal(first, axisMin, 9);
        Assert.Equal(last, axisMax, 9);
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(step, pair.Second - pair.First, 9));
    }

    [Fact]
    public void IntegerTicksNeverSplitAnIteration()
    {
        var (_, _, ticks) = SvgLineChart.NiceTicks(0, 2, integer: true);
        Assert.Equal([0.0, 1.0, 2.0], ticks);
    }

    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(1500, "1500")]
    [InlineData(25_000, "25k")]
    [InlineData(2_000_000, "2M")]
    public void TickLabelsAreShort(double value, string label) => Assert.Equal(label, SvgLineChart.Format(value));

    [Fact]
    public void NamesAreEscapedAndTheChartParses()
    {
        var chart = new SvgLineChart("a < b & \"c\"", "x", "y");
        var document = XDocument.Parse(chart.Render([new ChartSeries("<mcts>", [new(1, 2), new(2, 3, 2.5, 3.5)])]));
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "a < b & \"c\"");
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "<mcts>");
        Assert.Single(document.Descendants(Svg + "polyline"));
    }

    [Fact]
    public void NoDataSaysSo()
    {
        var document = XDocument.Parse(new SvgLineChart("t", "x", "y", LogX: true).Render([new ChartSeries("s", [new(0, 1)])]));
        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "no data");
    }

    [Fact]
    public void PointsStayInsideThePlotArea()
    {
        var document = XDocument.Parse(new SvgLineChart("t", "x", "y", LogX: true)
            .Render([new ChartSeries("s", [new(20, 0.4, 0.3, 0.5), new(2000, 0.9, 0.8, 1.0)])]));
        foreach (var circle in document.Descendants(Svg + "g").Elements(Svg + "circle"))
        {
            Assert.InRange(double.Parse((string)circle.Attribute("cx")!, System.Globalization.CultureInfo.InvariantCulture), 72, 540);
            Assert.InRange(double.Parse((string)circle.Attribute("cy")!, System.Globalization.CultureInfo.InvariantCulture), 44, 364);
        }
    }
}
