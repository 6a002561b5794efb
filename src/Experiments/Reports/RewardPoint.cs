using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Reports;

/// <summary>
/// One self-improvement iteration's training: its steps, the mean of the steps' mean rewards with a percentile
/// bootstrap 95% interval over steps, and the last logged losses.
/// </summary>
internal sealed record RewardPoint(int Iteration, int Steps, Interval? MeanReward, double? PolicyLoss, double? ValueLoss)
{
    /// <summary>Per-iteration reward of the self-improvement rows. The bootstrap is seeded, so a report rebuilds identically.</summary>
    public static IReadOnlyList<RewardPoint> FromMetrics(IEnumerable<MetricsRow> metrics) =>
        metrics.Where(r => r.Stage == Stage.SelfImprovement)
            .GroupBy(r => r.Iteration)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var rewards = g.Where(r => r.MeanReward is not null).Select(r => r.MeanReward!.Value).ToList();
                Interval? reward = rewards.Count == 0 ? null : Bootstrap.MeanInterval(rewards, new Random(g.Key), resamples: 1000);
                return new RewardPoint(g.Key, g.Count(r => r.Step is not null), reward,
                    g.LastOrDefault(r => r.PolicyLoss is not null)?.PolicyLoss, g.LastOrDefault(r => r.ValueLoss is not null)?.ValueLoss);
            })
            .ToList();
}
