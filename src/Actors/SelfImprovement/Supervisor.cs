using System.Diagnostics;
using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Runs one experiment, as alpha-zero-general's Coach.learn: stage 1 imitation, an evaluation, then per iteration
/// search fresh training problems with the current checkpoint -> replay buffer (re-verified, bounded) -> learner
/// -> optional arena on validation problems -> promote -> evaluation. Its children do the work: the inference server,
/// the search workers (a work queue), the replay buffer, the learner, the evaluator; the metrics sink is given.
/// Problems are drawn once, disjoint by construction: imitation, validation and each iteration's slices of the training
/// split, evaluation from the test split.
/// </summary>
internal sealed class Supervisor : ReceiveActor
{
    private static readonly TimeSpan Patience = TimeSpan.FromHours(24);
    private readonly ExperimentConfig _config;
    private readonly ITask _task;
    private readonly IExperimentBackend _backend;
    private readonly string _checkpoints;
    private readonly IActorRef _metrics;
    private readonly InferenceCounters _counters;
    private readonly WorkQueueOptions _workerOptions;
    private IActorRef _server = null!, _workers = null!, _buffer = null!, _learner = null!, _evaluator = null!;

    public Supervisor(ExperimentConfig config, ITask task, IExperimentBackend backend, string checkpointsPath, IActorRef metrics,
        InferenceCounters counters, WorkQueueOptions workerOptions)
    {
        (_config, _task, _backend, _checkpoints, _metrics, _counters, _workerOptions) = (config, task, backend, checkpointsPath, metrics, counters, workerOptions);
        ReceiveAsync<RunExperiment>(_ => Reply.WithAsync(Sender, Self, async () => await RunAsync()));
    }

    /// <summary>Runs the whole experiment; replies <see cref="ExperimentFinished"/>.</summary>
    public sealed record RunExperiment;

    public sealed record ExperimentFinished(RunSummary Summary);

    private SelfImprovementConfig Loop => _config.SelfImprovement;

    private SearchPlan Search { get; set; } = null!;

    protected override void PreStart()
    {
        var rewards = _config.Task.Rewards;
        Search = SearchPlan.ForSelfImprovement(Loop.Search);
        var batcher = new BatcherOptions { MaxBatch = Loop.InferenceBatch, MaxWait = TimeSpan.FromMilliseconds(1) };
        _server = Context.ActorOf(Props.Create(() => new InferenceServer(_backend.LoadInference, batcher, _counters)), "inference");
        var work = SearchWorker.Work(_task, rewards, _server, _metrics, Patience);
        _workers = Context.ActorOf(Props.Create(() => new WorkQueue<SearchJob, Episode>(work, _workerOptions)), "search");
        _buffer = Context.ActorOf(Props.Create(() => new ReplayBufferActor(new ReplayBuffer(_task, rewards, Loop.ReplayCapacity))), "replay");
        _learner = Context.ActorOf(Props.Create(() => new Learner(_backend, _metrics)), "learner");
    }

    private async Task<ExperimentFinished> RunAsync()
    {
        int seed = _config.Seed, perIteration = Loop.ProblemsPerIteration, iterations = Loop.Iterations;
        int demonstrations = _config.Imitation.Demonstrations, validation = Loop.Gating ? Loop.GatingProblems : 0;
        var train = ExperimentProblems.Training(_config, _task);
        var (heldOutTask, test) = ExperimentProblems.HeldOut(_config, _task);
        var validationProblems = train.Skip(demonstrations).Take(validation).ToList();
        _evaluator = Context.ActorOf(Props.Create(() => new Evaluator(_server, _workers, _metrics, test, _config.Evaluation, Loop.Search, seed, heldOutTask)), "evaluator");

        Note("Stage 1: imitation of {Demonstrations} expert demonstrations, {Steps} steps", demonstrations, _config.Imitation.Steps);
        string current = Path.Combine(_checkpoints, "iteration-0.safetensors");
        await _learner.Ask<Learner.Trained>(new Learner.Imitate(train.Take(demonstrations).ToList(), current), Patience);
        var evaluations = new List<Evaluator.Evaluated> { await Evaluate(0, current) };
        int? currentValidation = null;

        var summaries = new List<IterationSummary>();
        for (int k = 1; k <= iterations; k++)
        {
            var problems = train.Skip(demonstrations + validation + (k - 1) * perIteration).Take(perIteration).ToList();
            Note("Iteration {Iteration}/{Iterations}: {Algorithm}, {Method} on {Problems} fresh training problems with {Workers} workers",
                k, iterations, Loop.Algorithm, Search.Label, problems.Count, _workerOptions.Workers);
            var (episodes, failedAttempts, searchSeconds, before) = await SearchAsync(k, current, problems);
            var after = Snapshot();
            var added = await _buffer.Ask<ReplayBufferActor.EpisodesAdded>(new ReplayBufferActor.AddEpisodes(episodes), Patience);
            LogSearch(k, episodes);
            if (added.Rejected > 0) Note("Iteration {Iteration}: the replay buffer rejected {Rejected} episodes whose rewards the verifier did not confirm", k, added.Rejected);

            var snapshot = await _buffer.Ask<ReplayBufferActor.Snapshot>(
                new ReplayBufferActor.TakeSnapshot(Loop.Algorithm == SelfImprovementAlgorithm.Grpo ? k : null), Patience);
            string candidate = Path.Combine(_checkpoints, $"iteration-{k}.safetensors");
            var trained = await _learner.Ask<Learner.Trained>(new Learner.Improve(k, snapshot.Episodes, current, candidate), Patience);

            bool promoted = true;
            if (Loop.Gating)
            {
                currentValidation ??= (await Validate(current, validationProblems)).Correct;
                var challenger = await Validate(candidate, validationProblems);
                promoted = challenger.Correct >= currentValidation;
                Note("Iteration {Iteration}: arena on {N} validation problems, System 1 solves {New} (new) vs {Old} (current): {Verdict}",
                    k, validationProblems.Count, challenger.Correct, currentValidation, promoted ? "promoted" : "kept the current checkpoint");
                if (promoted) currentValidation = challenger.Correct;
            }
            if (promoted) current = candidate;
            evaluations.Add(await Evaluate(k, current));
            summaries.Add(new IterationSummary(k, episodes.Count, episodes.Select(e => e.Problem.Id).Distinct().Count(), failedAttempts,
                added.Accepted, added.Rejected, episodes.Average(e => e.Chosen.Reward), searchSeconds,
                after.Requests - before.Requests, after.ProposerCalls - before.ProposerCalls, after.ValueCalls - before.ValueCalls,
                trained.Report.Steps, promoted, current));
        }
        await _metrics.Ask<MetricsSink.Flushed>(new MetricsSink.Flush(), Patience);
        return new ExperimentFinished(new RunSummary(evaluations.Select(e => e.Accuracy).ToList(), summaries, current));
    }

    private async Task<(IReadOnlyList<Episode> Episodes, int FailedAttempts, double Seconds, CounterSnapshot Before)> SearchAsync(
        int iteration, string checkpoint, IReadOnlyList<Problem> problems)
    {
        await _server.Ask<InferenceServer.CheckpointLoaded>(new InferenceServer.LoadCheckpoint(checkpoint), Patience);
        var jobs = problems.Select((p, i) => new SearchJob(p, Search, SeedMix.Of(_config.Seed, 3, iteration, i), iteration, checkpoint)).ToList();
        _metrics.Tell(new MetricsSink.PhaseStarted("search", iteration, Loop.Iterations, jobs.Count));
        var before = Snapshot();
        var clock = Stopwatch.StartNew();
        var done = await _workers.Ask<WorkQueue<SearchJob, Episode>.Completed>(new WorkQueue<SearchJob, Episode>.Run(jobs), Patience);
        double seconds = clock.Elapsed.TotalSeconds;
        Note("Iteration {Iteration}: searched {Problems} problems in {Seconds:0.0} s ({Rate:0.00} problems/s), {Failed} failed attempts retried",
            iteration, jobs.Count, seconds, jobs.Count / seconds, done.FailedAttempts);
        return (done.Results, done.FailedAttempts, seconds, before);
    }

    // One row per searched problem, so the report's reward curve has a bootstrap interval over problems.
    private void LogSearch(int iteration, IReadOnlyList<Episode> episodes)
    {
        foreach (var episode in episodes)
            _metrics.Tell(new MetricsRow(iteration, Stage.SelfImprovement, Search.Label, N: 1, MeanReward: episode.Chosen.Reward,
                GeneratedTokens: episode.Spent.GeneratedTokens, PolicyTokens: episode.Spent.ForwardTokens,
                ValueCalls: episode.Spent.ValueEvaluations, WallSeconds: episode.Spent.WallTime.TotalSeconds));
    }

    private Task<Evaluator.Evaluated> Evaluate(int iteration, string checkpoint) =>
        _evaluator.Ask<Evaluator.Evaluated>(new Evaluator.Evaluate(iteration, checkpoint), Patience);

    private Task<Evaluator.Validated> Validate(string checkpoint, IReadOnlyList<Problem> problems) =>
        _evaluator.Ask<Evaluator.Validated>(new Evaluator.Validate(checkpoint, problems), Patience);

    private void Note(string template, params object[] values) => _metrics.Tell(new MetricsSink.Note(template, values));

    private CounterSnapshot Snapshot() => new(_counters.Requests, _counters.ProposerCalls, _counters.ValueCalls);

    private readonly record struct CounterSnapshot(long Requests, long ProposerCalls, long ValueCalls);
}

/// <summary>One self-improvement iteration: what was searched (each problem once), kept, trained and promoted, and how
/// many inference requests the server answered with how many backend calls.</summary>
internal sealed record IterationSummary(
    int Iteration, int Searched, int DistinctProblems, int FailedAttempts, int Accepted, int Rejected, double MeanReward,
    double SearchSeconds, long InferenceRequests, long ProposerCalls, long ValueCalls, int TrainingSteps, bool Promoted, string Checkpoint)
{
    public double ProblemsPerSecond => Searched / SearchSeconds;
}

/// <summary>Accuracy by method after imitation (index 0) and after each iteration; the iterations; the final checkpoint.</summary>
internal sealed record RunSummary(IReadOnlyList<IReadOnlyDictionary<string, double>> Accuracy, IReadOnlyList<IterationSummary> Iterations, string FinalCheckpoint);
