using System.Diagnostics;
using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Evaluates a checkpoint on the held-out test problems with System 1 and each configured search: the same problems
/// and the same seeds for every method and every iteration, so each accuracy comes with a paired test against System 1
/// in the report. The searches are jobs of the loop's <see cref="JobQueue"/>, run by the worker nodes like the loop's own.
/// For each method that asks the value model, how well it ranked the states the search met goes to value.jsonl.
/// Also answers the arena's question for gating: System 1's accuracy on validation problems.
/// </summary>
internal sealed class Evaluator : ReceiveActor
{
    private static readonly TimeSpan Patience = TimeSpan.FromHours(24);
    private readonly IActorRef _jobs, _metrics;
    private readonly IReadOnlyList<Problem> _problems;
    private readonly EvaluationConfig _config;
    private readonly SearchConfig _search;
    private readonly int _runSeed;
    private readonly ITask? _task;

    /// <param name="task">The held-out problems' task when it is not the loop's (null: the loop's).</param>
    public Evaluator(IActorRef jobs, IActorRef metrics, IReadOnlyList<Problem> problems, EvaluationConfig config,
        SearchConfig search, int runSeed, ITask? task = null)
    {
        (_jobs, _metrics, _problems, _config, _search, _runSeed, _task) = (jobs, metrics, problems, config, search, runSeed, task);
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
        var accuracy = new Dictionary<string, double>();
        foreach (var search in LoopEvaluation.Searches(_config, _search))
        {
            var method = search.Plan;
            var jobs = new List<SearchJob>();
            foreach (int seed in _config.Seeds)
                for (int i = 0; i < _problems.Count; i++)
                    jobs.Add(new SearchJob(_problems[i], method, LoopEvaluation.SearchSeed(_runSeed, seed, i), evaluate.Iteration, evaluate.Checkpoint, _task,
                        _task is null ? JobTask.Training : JobTask.HeldOut));
            _metrics.Tell(new MetricsSink.PhaseStarted($"evaluate {method.Label}", evaluate.Iteration, 0, jobs.Count));
            var clock = Stopwatch.StartNew();
            var done = await _jobs.Ask<JobQueue.Completed>(new JobQueue.Run(jobs), Patience);
            double wall = clock.Elapsed.TotalSeconds;
            var records = LoopEvaluation.Records(evaluate.Iteration, search, _config.Seeds, done.Results, wall);
            foreach (var row in records.Rows) _metrics.Tell(row);
            foreach (var outcome in records.Outcomes) _metrics.Tell(outcome);
            if (search.Role == EvaluationRole.Method) accuracy[method.Label] = records.Accuracy;
            var scored = done.Results.SelectMany(e => e.ScoredStates).ToList();
            if (scored.Count > 0) _metrics.Tell(new ValueRankingRow(evaluate.Iteration, method.Label, ValueRanking.Of(scored)));
            _metrics.Tell(new MetricsSink.Note("Iteration {Iteration}: {Method} solves {Accuracy:P1} of {N} held-out problems ({Seconds:0.0} s)",
                evaluate.Iteration, method.Label, records.Accuracy, jobs.Count, wall));
        }
        return new Evaluated(evaluate.Iteration, accuracy);
    }

    private async Task<Validated> ValidateAsync(Validate validate)
    {
        var system1 = SearchPlan.ForEvaluation(SearchMethod.System1, _search);
        var jobs = validate.Problems.Select((p, i) => new SearchJob(p, system1, SeedMix.Of(_runSeed, -1, i), -1, validate.Checkpoint)).ToList();
        _metrics.Tell(new MetricsSink.PhaseStarted("gate", 0, 0, jobs.Count));
        var done = await _jobs.Ask<JobQueue.Completed>(new JobQueue.Run(jobs), Patience);
        return new Validated(validate.Checkpoint, done.Results.Count(e => e.Chosen.Correct), jobs.Count);
    }
}
