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

    /// <summary>
    /// The examples with those whose targets are all positive (at least 0.5) repeated until they make up at least
    /// <paramref name="share"/> of the list (or as many repeats as keep it below): batches then hold positives every
    /// step, rather than a rare positive carrying a large weight. Order is kept; repeats follow the originals.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Oversample(IReadOnlyList<TrainingExample> examples, double share)
    {
        var positives = examples.Where(e => TargetsOf(e).Any() && TargetsOf(e).All(t => t >= 0.5f)).ToList();
        if (positives.Count == 0 || share <= 0) return examples;
        var negatives = examples.Count - positives.Count;
        // r copies of each positive: r P / (r P + N) >= share  <=>  r >= share N / ((1 - share) P).
        var copies = (int)Math.Ceiling(share * negatives / ((1 - share) * positives.Count));
        return copies <= 1 ? examples : [.. examples, .. Enumerable.Repeat(positives, copies - 1).SelectMany(p => p)];
    }
}
