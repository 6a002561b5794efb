using System.Diagnostics;
using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Evaluates a checkpoint on the held-out test problems with System 1 and each configured search: the same problems
/// and the same seeds for every method and every iteration, so each accuracy comes with a paired test against System 1
/// in the report. The searches run on the search workers through the inference server, like the loop's own.
/// For each method that asks the value model, how well it ranked the states the search met goes to value.jsonl.
/// Also answers the arena's question for gating: System 1's accuracy on validation problems.
/// </summary>
internal sealed class Evaluator : ReceiveActor
{
    private static readonly TimeSpan Patience = TimeSpan.FromHours(24);
    private readonly IActorRef _server, _workers, _metrics;
    private readonly IReadOnlyList<Problem> _problems;
    private readonly EvaluationConfig _config;
    private readonly SearchConfig _search;
    private readonly int _runSeed;
    private readonly ITask? _task;

    /// <param name="task">The held-out problems' task when it is not the loop's (null: the loop's).</param>
    public Evaluator(IActorRef server, IActorRef workers, IActorRef metrics, IReadOnlyList<Problem> problems, EvaluationConfig config,
        SearchConfig search, int runSeed, ITask? task = null)
    {
        (_server, _workers, _metrics, _problems, _config, _search, _runSeed, _task) = (server, workers, metrics, problems, config, search, runSeed, task);
        ReceiveAsync<Evaluate>(evaluate => Reply.WithAsync(Sender, Self, async () => await EvaluateAsync(evaluate)));
        ReceiveAsync<Validate>(validate => Reply.WithAsync(Sender, Self, async () => await ValidateAsync(validate)));
    }

    /// <summary>Evaluate <paramref name="Checkpoint"/> as iteration <paramref name="Iteration"/>; replies <see cref="Evaluated"/>.</summary>
    public sealed record Evaluate(int Iteration, string Checkpoint);

    /// <summary>Accuracy of each method (its label), pooled over seeds.</summary>
    public sealed record Evaluated(int Iteration, IReadOnlyDictionary<string, double> Accuracy);

    /// <summary>System 1 on validation problems; replies <see cref="Validated"/>. Nothing goes to the metrics.</summary>
    public sealed record Validate(string Checkpoint, IReadOnlyList<Problem> Problems);

    public sealed record Validated(string Checkpoint, int Correct, int N);

    private async Task<Evaluated> EvaluateAsync(Evaluate evaluate)
    {
        await _server.Ask<InferenceServer.CheckpointLoaded>(new InferenceServer.LoadCheckpoint(evaluate.Checkpoint), Patience);
        var accuracy = new Dictionary<string, double>();
        foreach (var method in _config.Methods.Select(m => SearchPlan.ForEvaluation(m, _search)))
        {
            var jobs = new List<SearchJob>();
            foreach (int seed in _config.Seeds)
                for (int i = 0; i < _problems.Count; i++)
                    jobs.Add(new SearchJob(_problems[i], method, SeedMix.Of(_runSeed, seed, i), evaluate.Iteration, evaluate.Checkpoint, _task));
            _metrics.Tell(new MetricsSink.PhaseStarted($"evaluate {method.Label}", evaluate.Iteration, 0, jobs.Count));
            var clock = Stopwatch.StartNew();
            var done = await _workers.Ask<WorkQueue<SearchJob, Episode>.Completed>(new WorkQueue<SearchJob, Episode>.Run(jobs), Patience);
            double wall = clock.Elapsed.TotalSeconds;
            int correctTotal = 0;
            for (int s = 0; s < _config.Seeds.Count; s++)
            {
                var episodes = done.Results.Skip(s * _problems.Count).Take(_problems.Count).ToList();
                int correct = episodes.Count(e => e.Chosen.Correct);
                correctTotal += correct;
                _metrics.Tell(MetricsRow.Evaluation(evaluate.Iteration, method.Label, correct, episodes.Count,
                    meanReward: episodes.Average(e => e.Chosen.Reward),
                    generatedTokens: episodes.Sum(e => e.Spent.GeneratedTokens),
                    policyTokens: episodes.Sum(e => e.Spent.ForwardTokens),
                    valueCalls: episodes.Sum(e => e.Spent.ValueEvaluations),
                    wallSeconds: wall / _config.Seeds.Count));
                string suffix = _config.Seeds.Count > 1 ? $"#seed{_config.Seeds[s]}" : "";
                foreach (var episode in episodes)
                    _metrics.Tell(new ProblemOutcome(evaluate.Iteration, method.Label, episode.Problem.Id + suffix, episode.Chosen.Correct));
            }
            var scored = done.Results.SelectMany(e => e.ScoredStates).ToList();
            if (scored.Count > 0) _metrics.Tell(new ValueRankingRow(evaluate.Iteration, method.Label, ValueRanking.Of(scored)));
            accuracy[method.Label] = (double)correctTotal / jobs.Count;
            _metrics.Tell(new MetricsSink.Note("Iteration {Iteration}: {Method} solves {Accuracy:P1} of {N} held-out problems ({Seconds:0.0} s)",
                evaluate.Iteration, method.Label, accuracy[method.Label], jobs.Count, wall));
        }
        return new Evaluated(evaluate.Iteration, accuracy);
    }

    private async Task<Validated> ValidateAsync(Validate validate)
    {
        await _server.Ask<InferenceServer.CheckpointLoaded>(new InferenceServer.LoadCheckpoint(validate.Checkpoint), Patience);
        var system1 = SearchPlan.ForEvaluation(SearchMethod.System1, _search);
        var jobs = validate.Problems.Select((p, i) => new SearchJob(p, system1, SeedMix.Of(_runSeed, -1, i), -1, validate.Checkpoint)).ToList();
        _metrics.Tell(new MetricsSink.PhaseStarted("gate", 0, 0, jobs.Count));
        var done = await _workers.Ask<WorkQueue<SearchJob, Episode>.Completed>(new WorkQueue<SearchJob, Episode>.Run(jobs), Patience);
        return new Validated(validate.Checkpoint, done.Results.Count(e => e.Chosen.Correct), jobs.Count);
    }
}
