namespace Reasoner.Experiments.Statistics;

/// <summary>
/// The area under the ROC curve of a score against a yes/no label: the probability that a random positive scores above
/// a random negative, ties counting half (the Mann-Whitney U statistic over positives x negatives). 0.5 is a score that
/// cannot tell them apart.
/// </summary>
public static class RankAuc
{
    /// <summary>Null when there are no positives or no negatives (nothing to rank).</summary>
    public static double? Of(IReadOnlyList<(double Score, bool Positive)> items)
    {
        var sorted = items.OrderBy(i => i.Score).ToArray();
        long positives = sorted.LongCount(i => i.Positive), negatives = sorted.Length - positives;
        if (positives == 0 || negatives == 0) return null;
        // Sum of the positives' mid-ranks (1-based, ties sharing their average rank).
        double rankSum = 0;
        for (int start = 0; start < sorted.Length;)
        {
            int end = start;
            while (end < sorted.Length && sorted[end].Score == sorted[start].Score) end++;
            double midRank = (start + 1 + end) / 2.0;
            for (int i = start; i < end; i++)
                if (sorted[i].Positive) rankSum += midRank;
            start = end;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
