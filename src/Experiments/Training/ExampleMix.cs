namespace Reasoner.Experiments.Training;

/// <summary>
/// Groups of training examples mixed in given shares of a uniform draw, by repeating the groups (whole passes, then a
/// prefix): a small group that matters is not drowned by a large one. The step checks' claims beside the many problems
/// their drills leave (Countdown-4: 13,000 claims, 500,000 problems left), the search's few hundred verified
/// trajectories beside imitation's 20,000 demonstrations.
/// </summary>
public static class ExampleMix
{
    /// <summary>Each group repeated to the size of the largest, so a uniform draw takes each as often. Empty groups are left out.</summary>
    public static IReadOnlyList<TrainingExample> Equal(params IReadOnlyList<TrainingExample>[] groups)
    {
        int size = groups.Max(group => group.Count);
        var mixed = new List<TrainingExample>(size * groups.Length);
        foreach (var group in groups.Where(group => group.Count > 0)) Repeat(group, size, mixed);
        return mixed;
    }

    /// <summary>
    /// <paramref name="first"/> and <paramref name="second"/>, the first a <paramref name="share"/> of the whole (in [0, 1)):
    /// the group short of its share is repeated, the other kept as it is. An empty group leaves the other alone.
    /// </summary>
    public static IReadOnlyList<TrainingExample> Shares(IReadOnlyList<TrainingExample> first, double share, IReadOnlyList<TrainingExample> second)
    {
        if (share is < 0 or >= 1 || double.IsNaN(share)) throw new ArgumentOutOfRangeException(nameof(share), share, "a share in [0, 1)");
        if (first.Count == 0 || share == 0) return second;
        if (second.Count == 0) return first;
        // first / (first + second) = share, solved for the group that is short of it.
        double firstSize = second.Count * share / (1 - share);
        var mixed = new List<TrainingExample>();
        if (firstSize >= first.Count)
        {
            Repeat(first, (int)Math.Round(firstSize), mixed);
            mixed.AddRange(second);
        }
        else
        {
            mixed.AddRange(first);
            Repeat(second, (int)Math.Round(first.Count * (1 - share) / share), mixed);
        }
        return mixed;
    }

    private static void Repeat(IReadOnlyList<TrainingExample> group, int size, List<TrainingExample> into)
    {
        for (int i = 0; i < size; i++) into.Add(group[i % group.Count]);
    }
}
