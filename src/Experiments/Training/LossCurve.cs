using System.Globalization;
using System.Text;
using Reasoner.Experiments.Reports;
using Reasoner.Policy;

namespace Reasoner.Experiments.Training;

/// <summary>The steps of one training run, written beside its checkpoint as CSV and as an SVG chart.</summary>
public sealed record LossCurve(IReadOnlyList<TrainingStep> Steps)
{
    public const string CsvHeader = "step,total_loss,policy_loss,mean_cross_entropy,value_loss,grad_norm,learning_rate";

    /// <summary>One row a step; value_loss is empty for steps without value targets.</summary>
    public void WriteCsv(string path)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var step in Steps)
        {
            var l = step.Losses;
            csv.Append(CultureInfo.InvariantCulture, $"{step.Step},{l.Total:R},{l.TokenLoss:R},{l.MeanCrossEntropy:R},{l.ValueLoss?.ToString("R", CultureInfo.InvariantCulture)},{step.GradNorm:R},{step.LearningRate:R}\n");
        }
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Policy and (when present) value loss against the step.</summary>
    public void WriteSvg(string path, string title)
    {
        var series = new List<ChartSeries>
        {
            new("policy loss", Steps.Select(s => new ChartPoint(s.Step, s.Losses.TokenLoss)).ToList()),
        };
        if (Steps.Any(s => s.Losses.ValueLoss is not null))
            series.Add(new ChartSeries("value loss", Steps.Where(s => s.Losses.ValueLoss is not null).Select(s => new ChartPoint(s.Step, s.Losses.ValueLoss!.Value)).ToList()));
        File.WriteAllText(path, new SvgLineChart(title, "step", "loss", YMin: 0, IntegerX: true).Render(series));
    }
}
