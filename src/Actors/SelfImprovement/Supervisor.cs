using System.Diagnostics;
using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Runs one experiment, as alpha-zero-general's Coach.learn: stage 1 imitation, an evaluation, then per iteration
/// search fresh training problems with the current checkpoint -> replay buffer (re-verified, bounded) -> learner
/// -> optional arena on validation problems -> promote -> evaluation. Its children do the work: the replay buffer, the
/// learner, the evaluator; searches are jobs of the given <see cref="JobQueue"/>, which the worker nodes (this process's
/// own, or other machines') pull from; the metrics sink is given.
/// Problems are drawn once, disjoint by construction: imitation, validation and each iteration's slices of the training
/// split, evaluation from the test split. Each completed stage goes to the run's journal; a resumed run skips the stages
/// the journal has (its seeds are per stage and per problem, so what follows is what an uninterrupted run would do).
/// </summary>
internal sealed class Supervisor : ReceiveActor
{
    private static readonly TimeSpan Patience = TimeSpan.FromHours(24);
    private readonly ExperimentConfig _config;
    private readonly ITask _task;
    // The task the loop searches (self_improvement.task, or the training task): its problems, its verifier.
    private readonly ITask _selfPlay;
    private readonly IExperimentBackend _backend;
    private readonly string _checkpoints;
    private readonly IActorRef _metrics;
    private readonly IActorRef _jobs;
    private readonly RunProgress _resume;
    private IActorRef _buffer = null!, _learner = null!, _evaluator = null!;

    /// <param name="resume">What a resumed run finds done (<see cref="RunJournal"/>); null for a fresh run.</param>
    public Supervisor(ExperimentConfig config, ITask task, IExperimentBackend backend, string checkpointsPath, IActorRef metrics, IActorRef jobs,
        RunProgress? resume = null)
    {
        (_config, _task, _backend, _checkpoints, _metrics, _jobs, _resume) = (config, task, backend, checkpointsPath, metrics, jobs, resume ?? RunProgress.Empty);
        _selfPlay = config.SelfImprovement.Task?.Create() ?? task;
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
        _buffer = Context.ActorOf(Props.Create(() => new ReplayBufferActor(new ReplayBuffer(_selfPlay, rewards, Loop.ReplayCapacity))), "replay");
        _learner = Context.ActorOf(Props.Create(() => new Learner(_backend, _metrics)).WithDispatcher(AkkaConfig.PinnedDispatcher), "learner");
    }

    // The children's state is the run's (the buffer's episodes, the learner's step count): a restarted child would go on
    // without it, so a child that fails fails the run. Their expected failures (a bad config, a checkpoint that does not
    // load) are replies to the supervisor's Asks instead; this is for the unexpected ones.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

    private async Task<ExperimentFinished> RunAsync()
    {
        int seed = _config.Seed, iterations = Loop.Iterations;
        int demonstrations = _config.Imitation.Demonstrations, validation = Loop.Gating ? Loop.GatingProblems : 0;
        var generation = Stopwatch.StartNew();
        var train = ExperimentProblems.Training(_config, _task);
        var (_, test, heldOutTask) = ExperimentProblems.HeldOut(_config, _task);
        Timed(0, RunPhase.Problems, generation);
        var validationProblems = train.Skip(demonstrations).Take(validation).ToList();
        _evaluator = Context.ActorOf(Props.Create(() => new Evaluator(_jobs, _metrics, test, _config.Evaluation, Loop.Search, seed, heldOutTask)), "evaluator");

        var done = _resume;
        string current = Path.Combine(_checkpoints, "iteration-0.safetensors");
        var imitationProblems = train.Take(demonstrations).ToList();
        if (done.Imitation is null)
        {
            Note("Stage 1: imitation of {Demonstrations} expert demonstrations, {Steps} steps", demonstrations, _config.Imitation.Steps);
            _metrics.Tell(new MetricsSink.PhaseStarted("imitation", 0, iterations, _config.Imitation.Steps + _config.Imitation.ValueSteps, "steps"));
            var imitated = await _learner.Ask<Learner.Trained>(new Learner.Imitate(imitationProblems, current), Patience);
            await Record(new StageRecord(StageRecord.Imitation, 0, LearnerSteps: imitated.TotalSteps));
        }
        else
        {
            Note("Resuming from {Stage}", done.Describe(iterations));
            await _learner.Ask<Learner.Resumed>(new Learner.Resume(imitationProblems, current, done.LearnerSteps), Patience);
        }
        var evaluations = new List<Evaluator.Evaluated> { await EvaluateOnce(0, current) };
        int? currentValidation = null;

        var summaries = new List<IterationSummary>();
        for (int k = 1; k <= iterations; k++)
        {
            var problems = ExperimentProblems.Iteration(_config, train, _selfPlay, k);
            JobQueue.Completed searched;
            double searchSeconds;
            ReplayBufferActor.EpisodesAdded added;
            if (done.Searches.TryGetValue(k, out var searchRecord) && searchRecord.Search is { } s)
            {
                // The buffer gets the same episodes in the same order as the first time (re-verified again on the way in).
                var episodes = done.Episodes.GetValueOrDefault(k, []).Select(line => Restore(line, problems, k, current)).ToList();
                added = await _buffer.Ask<ReplayBufferActor.EpisodesAdded>(new ReplayBufferActor.AddEpisodes(episodes), Patience);
                searched = new JobQueue.Completed(episodes, s.FailedAttempts, s.QueueRejected, new InferenceCounts(s.Requests, s.ProposerCalls, s.ValueCalls));
                searchSeconds = s.Seconds;
            }
            else
            {
                Note("Iteration {Iteration}/{Iterations}: {Algorithm}, {Method} on {Problems} training problems of {Task}",
                    k, iterations, Loop.Algorithm, Search.Label, problems.Count, _selfPlay.Name);
                (searched, searchSeconds) = await SearchAsync(k, current, problems);
                added = await _buffer.Ask<ReplayBufferActor.EpisodesAdded>(new ReplayBufferActor.AddEpisodes(searched.Results), Patience);
                LogSearch(k, searched.Results);
                if (added.Rejected > 0)
                    Note("Iteration {Iteration}: the replay buffer rejected {Rejected} episodes whose rewards the verifier did not confirm, from {Nodes}",
                        k, added.Rejected, string.Join(", ", added.RejectedFrom));
                var inference = searched.Inference;
                await Record(new StageRecord(StageRecord.Searched, k, Search: new SearchRecord(searched.FailedAttempts, searched.Rejected, searchSeconds,
                    inference.Requests, inference.ProposerCalls, inference.ValueCalls)),
                    [.. searched.Results.Select((e, i) => new EpisodeLine(k, i, e.Provenance.Node, EpisodeReport.Of(e)))]);
            }
            var episodesOfK = searched.Results;

            bool promoted;
            int trainingSteps;
            if (done.Improvements.TryGetValue(k, out var improveRecord) && improveRecord.Improve is { } improved)
            {
                (promoted, trainingSteps, currentValidation) = (improved.Promoted, improved.TrainingSteps, improved.CurrentValidation);
                current = Path.Combine(_checkpoints, improved.Current);
            }
            else
            {
                var snapshot = await _buffer.Ask<ReplayBufferActor.Snapshot>(
                    new ReplayBufferActor.TakeSnapshot(Loop.Algorithm == SelfImprovementAlgorithm.Grpo ? k : null), Patience);
                string candidate = Path.Combine(_checkpoints, $"iteration-{k}.safetensors");
                _metrics.Tell(new MetricsSink.PhaseStarted("training", k, iterations, Loop.StepsPerIteration, "steps"));
                var trained = await _learner.Ask<Learner.Trained>(new Learner.Improve(k, snapshot.Episodes, current, candidate), Patience);

                promoted = true;
                if (Loop.Gating)
                {
                    var arena = Stopwatch.StartNew();
                    currentValidation ??= (await Validate(current, validationProblems)).Correct;
                    var challenger = await Validate(candidate, validationProblems);
                    promoted = challenger.Correct >= currentValidation;
                    Note("Iteration {Iteration}: arena on {N} validation problems, System 1 solves {New} (new) vs {Old} (current): {Verdict}",
                        k, validationProblems.Count, challenger.Correct, currentValidation, promoted ? "promoted" : "kept the current checkpoint");
                    if (promoted) currentValidation = challenger.Correct;
                    Timed(k, RunPhase.Arena, arena);
                }
                if (promoted) current = candidate;
                trainingSteps = trained.Report.Steps;
                await Record(new StageRecord(StageRecord.Improved, k, LearnerSteps: trained.TotalSteps,
                    Improve: new ImproveRecord(trainingSteps, promoted, Path.GetFileName(current), currentValidation)));
            }
            evaluations.Add(await EvaluateOnce(k, current));
            summaries.Add(new IterationSummary(k, episodesOfK.Count, episodesOfK.Select(e => e.Problem.Id).Distinct().Count(), searched.FailedAttempts,
                added.Accepted, searched.Rejected + added.Rejected, episodesOfK.Average(e => e.Chosen.Reward), searchSeconds,
                searched.Inference.Requests, searched.Inference.ProposerCalls, searched.Inference.ValueCalls,
                trainingSteps, promoted, current));
        }
        await _metrics.Ask<MetricsSink.Flushed>(new MetricsSink.Flush(), Patience);
        return new ExperimentFinished(new RunSummary(evaluations.Select(e => e.Accuracy).ToList(), summaries, current));
    }

    /// <summary>Evaluation k, unless the journal has it (a resumed run).</summary>
    private async Task<Evaluator.Evaluated> EvaluateOnce(int iteration, string checkpoint)
    {
        if (_resume.Evaluations.TryGetValue(iteration, out var record) && record.Accuracy is { } accuracy) return new Evaluator.Evaluated(iteration, accuracy);
        var clock = Stopwatch.StartNew();
        var evaluated = await Evaluate(iteration, checkpoint);
        Timed(iteration, RunPhase.Evaluation, clock);
        await Record(new StageRecord(StageRecord.Evaluation, iteration, Accuracy: evaluated.Accuracy));
        return evaluated;
    }

    /// <summary>A completed stage goes to the journal (through the metrics sink, which knows the files' lengths).</summary>
    private Task Record(StageRecord record, IReadOnlyList<EpisodeLine>? episodes = null) =>
        _metrics.Ask<MetricsSink.StageRecorded>(new MetricsSink.StageDone(record, episodes ?? []), Patience);

    /// <summary>An episode of the journal with its problem: job <see cref="EpisodeLine.Index"/> of the iteration's problems.</summary>
    private static Episode Restore(EpisodeLine line, IReadOnlyList<Problem> problems, int iteration, string checkpoint)
    {
        if (line.Index < 0 || line.Index >= problems.Count)
            throw new InvalidDataException($"episodes.jsonl: iteration {iteration} has no problem {line.Index} (it has {problems.Count})");
        var e = line.Episode;
        return new Episode(problems[line.Index], e.Method, e.Chosen, e.Candidates, e.VisitTargets, e.Spent,
            new Provenance(iteration, e.Worker, checkpoint, line.Node));
    }

    private async Task<(JobQueue.Completed Searched, double Seconds)> SearchAsync(int iteration, string checkpoint, IReadOnlyList<Problem> problems)
    {
        var (task, kind) = Loop.Task is null ? (null, JobTask.Training) : (_selfPlay, JobTask.SelfPlay);
        var jobs = problems.Select((p, i) => new SearchJob(p, Search, SeedMix.Of(_config.Seed, 3, iteration, i), iteration, checkpoint, task, kind)).ToList();
        _metrics.Tell(new MetricsSink.PhaseStarted("search", iteration, Loop.Iterations, jobs.Count));
        var clock = Stopwatch.StartNew();
        var done = await _jobs.Ask<JobQueue.Completed>(new JobQueue.Run(jobs), Patience);
        double seconds = clock.Elapsed.TotalSeconds;
        Timed(iteration, RunPhase.Search, clock);
        Note("Iteration {Iteration}: searched {Problems} problems in {Seconds:0.0} s ({Rate:0.00} problems/s), {Failed} failed attempts retried",
            iteration, jobs.Count, seconds, jobs.Count / seconds, done.FailedAttempts);
        return (done, seconds);
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

    /// <summary>The wall time of a phase the supervisor ran, for the summary's "where the time went".</summary>
    private void Timed(int iteration, string phase, Stopwatch clock) => _metrics.Tell(MetricsRow.Timed(iteration, phase, clock.Elapsed.TotalSeconds));

    private void Note(string template, params object[] values) => _metrics.Tell(new MetricsSink.Note(template, values));
}

/// <summary>One self-improvement iteration: what was searched (each problem once), kept, trained and promoted (Rejected:
/// results the verifier did not confirm, at the job queue or the replay buffer), and how many inference requests the
/// servers answered with how many backend calls.</summary>
internal sealed record IterationSummary(
    int Iteration, int Searched, int DistinctProblems, int FailedAttempts, int Accepted, int Rejected, double MeanReward,
    double SearchSeconds, long InferenceRequests, long ProposerCalls, long ValueCalls, int TrainingSteps, bool Promoted, string Checkpoint)
{
    public double ProblemsPerSecond => Searched / SearchSeconds;
}

/// <summary>Accuracy by method after imitation (index 0) and after each iteration; the iterations; the final checkpoint.</summary>
internal sealed record RunSummary(IReadOnlyList<IReadOnlyDictionary<string, double>> Accuracy, IReadOnlyList<IterationSummary> Iterations, string FinalCheckpoint);
