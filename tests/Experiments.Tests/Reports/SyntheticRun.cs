using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Tests.Reports;

/// <summary>
/// Metrics and outcomes of a made-up run: imitation, then 3 iterations; system1 and mcts evaluated on the same 100
/// problems each iteration, mcts improving faster. In iteration 0, system1 solves p0..p39 and mcts p10..p64, so the
/// paired test sees b = 10, c = 25.
/// </summary>
internal static class SyntheticRun
{
    public const int Iterations = 3;

    public static List<MetricsRow> Metrics()
    {
        var rows = new List<MetricsRow>();
        long step = 0;
        for (int i = 0; i < 20; i++)
        {
            rows.Add(new MetricsRow(0, Stage.Imitation, Step: ++step, PolicyLoss: 3.0 - 0.1 * i));
        }
        for (int iteration = 0; iteration <= Iterations; iteration++)
        {
            if (iteration > 0)
            {
                for (int i = 0; i < 10; i++)
                {
                    rows.Add(new MetricsRow(iteration, Stage.SelfImprovement, "mcts", ++step, MeanReward: 0.2 * iteration + 0.01 * i,
                        ValueLoss: 0.5 / iteration, PolicyLoss: 1.0 - 0.05 * iteration, GeneratedTokens: 10_000));
                }
            }
            var (system1, mcts) = Correct(iteration);
            rows.Add(MetricsRow.Evaluation(iteration, "system1", system1, 100, generatedTokens: 3_000, policyTokens: 3_000, valueCalls: 0, wallSeconds: 2));
            rows.Add(MetricsRow.Evaluation(iteration, "mcts", mcts, 100, generatedTokens: 150_000, policyTokens: 400_000, valueCalls: 6_400, wallSeconds: 60));
        }
        return rows;
    }

    public static List<ProblemOutcome> Outcomes()
    {
        var outcomes = new List<ProblemOutcome>();
        for (int iteration = 0; iteration <= Iterations; iteration++)
        {
            var (system1, mcts) = Correct(iteration);
            for (int p = 0; p < 100; p++)
            {
                outcomes.Add(new ProblemOutcome(iteration, "system1", $"p{p}", p < system1));
                outcomes.Add(new ProblemOutcome(iteration, "mcts", $"p{p}", p >= 10 && p < 10 + mcts));
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Outcomes as a run with equal-compute budgets writes them, under evaluation seeds 0 and 1: per problem its tokens,
    /// MCTS also at 16 simulations, and a sampling run of 8 samples (120 tokens each) where problem p has p % 5 correct
    /// samples answering 24 and the rest split between two wrong answers. Under seed 1, MCTS also solves p90..p99.
    /// </summary>
    public static List<ProblemOutcome> OutcomesWithCompute()
    {
        var outcomes = new List<ProblemOutcome>();
        for (int iteration = 0; iteration <= Iterations; iteration++)
        {
            var (system1, mcts) = Correct(iteration);
            foreach (int seed in new[] { 0, 1 })
            {
                for (int p = 0; p < 100; p++)
                {
                    string id = $"p{p}";
                    bool mctsSolves = (p >= 10 && p < 10 + mcts) || (seed == 1 && p >= 90);
                    outcomes.Add(new ProblemOutcome(iteration, "system1", id, p < system1, seed, 30, 0));
                    outcomes.Add(new ProblemOutcome(iteration, "mcts", id, mctsSolves, seed, 1500, 64));
                    outcomes.Add(new ProblemOutcome(iteration, "mcts @ simulations=16", id, p >= 10 && p < 5 + mcts, seed, 750, 32));
                    var samples = Enumerable.Range(0, 8).Select(j => j < p % 5 ? ("24", true, 0.8) : (j % 2 == 0 ? "23" : "25", false, 0.3));
                    outcomes.Add(new ProblemOutcome(iteration, "sampling", id, p % 5 > 0, seed, 960, 8,
                        SampledAnswers.Of(samples.Select(x => ((string?)x.Item1, x.Item2, x.Item3)))));
                }
            }
        }
        return outcomes;
    }

    private static (int System1, int Mcts) Correct(int iteration) => (40 + 5 * iteration, 55 + 10 * iteration);
}
