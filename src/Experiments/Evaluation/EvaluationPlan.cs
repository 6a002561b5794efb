using System.Globalization;
using Reasoner.Experiments.Config;

namespace Reasoner.Experiments.Evaluation;

/// <summary>What an evaluated search is for.</summary>
public enum EvaluationRole
{
    /// <summary>A method of the evaluation: its own row in the summary, paired against System 1.</summary>
    Method,
    /// <summary>A tree search at a fraction of its size: a point of its accuracy-against-tokens curve.</summary>
    Scaled,
    /// <summary>The sampling run whose samples give maj@k, best-of-k and pass@k at every k.</summary>
    Sampling,
}

/// <summary>One search of an evaluation: its name in metrics and outcomes, its spec, and what it is for.</summary>
public sealed record PlannedSearch(string Label, MethodSpec Spec, EvaluationRole Role);

/// <summary>
/// The searches of one evaluation with its equal-compute budgets (<see cref="EvaluationBudgets"/>): the methods as
/// given; each tree search again at each scale of its size, named "<c>mcts @ simulations=8</c>"; and one sampling run
/// of n samples, named <see cref="SamplingLabel"/>, from which maj@k, best-of-k and pass@k at every k are computed.
/// Sampling curves come from subsets of one run, which costs one run; a tree search cannot be cut that way (MCTS
/// commits move by move, ToT level by level, so stopping one early leaves no answer rather than a smaller search's),
/// so each of its budgets is a search of its own, at a size a researcher would run.
/// </summary>
public static class EvaluationPlan
{
    public const string SamplingLabel = "sampling";
    private const string ScaleSeparator = " @ ";

    /// <param name="methods">The evaluation's methods, each with its label.</param>
    /// <param name="temperature">The sampling run's temperature (the experiment's proposal temperature).</param>
    public static IReadOnlyList<PlannedSearch> For(IReadOnlyList<(string Label, MethodSpec Spec)> methods, EvaluationBudgets budgets, double temperature)
    {
        var planned = methods.Select(m => new PlannedSearch(m.Label, m.Spec, EvaluationRole.Method)).ToList();
        foreach (var (label, spec) in methods)
        {
            foreach (double scale in budgets.SearchScales.OrderByDescending(s => s))
            {
                if (spec.Scaled(scale) is not { } scaled) continue;
                var (option, size) = scaled.SizeOption!.Value;
                string scaledLabel = $"{label}{ScaleSeparator}{option}={size.ToString(CultureInfo.InvariantCulture)}";
                if (planned.All(p => p.Label != scaledLabel)) planned.Add(new PlannedSearch(scaledLabel, scaled, EvaluationRole.Scaled));
            }
        }
        if (budgets.Samples > 0)
        {
            var sampling = MethodSpec.Parse(FormattableString.Invariant(
                $"best-of-n[samples={budgets.Samples};temperature={temperature:R};vote=false]"));
            planned.Add(new PlannedSearch(SamplingLabel, sampling, EvaluationRole.Sampling));
        }
        return planned;
    }

    /// <summary>The method a label belongs to: "mcts @ simulations=8" is mcts at another size.</summary>
    public static string MethodOf(string label)
    {
        int at = label.IndexOf(ScaleSeparator, StringComparison.Ordinal);
        return at < 0 ? label : label[..at];
    }
}
