namespace Reasoner.Experiments.Training;

/// <summary>Class balance of value targets: the oracle calls few of a weak policy's states solvable.</summary>
public static class ValueBalance
{
    /// <summary>Every value target of an example: its line values (NaN ones skipped), then its value target.</summary>
    public static IEnumerable<float> TargetsOf(TrainingExample example) =>
        (example.LineValues ?? []).Where(v => !float.IsNaN(v)).Concat(example.ValueTarget is { } t ? [t] : []);

    /// <summary>
    /// The <see cref="ExampleTrainerConfig.PositiveValueWeight"/> that gives the targets' two classes equal weight:
    /// (1 - p) / p for mean target p, clamped to [1, 100] (never below plain BCE; a set with almost no positives is not
    /// blown up); 1 without targets.
    /// </summary>
    public static float PositiveWeight(IEnumerable<double> targets)
    {
        var list = targets.ToList();
        if (list.Count == 0) return 1f;
        var mean = list.Average();
        return mean <= 0 ? 1f : (float)Math.Clamp((1 - mean) / mean, 1, 100);
    }

    public static float PositiveWeight(IEnumerable<TrainingExample> examples) => PositiveWeight(examples.SelectMany(TargetsOf).Select(t => (double)t));
}
