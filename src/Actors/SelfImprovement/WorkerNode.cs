using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>How a worker node works: its name in the head's log, its search workers, and how patient it is.</summary>
internal sealed record NodeOptions
{
    /// <summary>Names the node in the head's log (the head adds the node's address).</summary>
    public string Name { get; init; } = "local";

    /// <summary>Search workers, each searching one problem at a time through the node's one inference server.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>The only experiment this node will serve (null: whichever the head runs).</summary>
    public string? Experiment { get; init; }

    /// <summary>A search worker whose search threw starts again after a back-off from Min doubling to Max.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the node looks for the head's job queue before it gives up.</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a search waits for one inference answer, and a checkpoint load for the server.</summary>
    public TimeSpan InferenceTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a checkpoint chunk may take to arrive.</summary>
    public TimeSpan ChunkTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Where a node gets checkpoint files: the head's own folder (same process), or fetched from the head into a cache.</summary>
internal abstract record CheckpointSource
{
    public sealed record Local(string Folder) : CheckpointSource;

    public sealed record Fetched(string CacheFolder) : CheckpointSource;
}

/// <summary>
/// A worker node: one inference server and K search workers, working for the head's <see cref="JobQueue"/>. It finds the
/// queue, registers (the head answers with the run's config, or refuses and says why), then pulls: it asks for one job
/// per free search worker, and for one more each time a job ends. Each job names its checkpoint by SHA-256; the node
/// loads it into its inference server once the searches on the previous one have finished, fetching the bytes from the
/// head's <see cref="CheckpointStore"/> when it is not in the head's process. Episodes go back with the node's inference
/// counts since its last report. The node stops when the head goes away (the run ended, or the head died) and tells
/// <c>finished</c> why.
/// </summary>
internal sealed class WorkerNode : ReceiveActor, IWithTimers
{
    private readonly NodeOptions _options;
    private readonly string _headPath;
    private readonly Func<ExperimentConfig, Func<string, InferenceBackend>> _loaderFor;
    private readonly CheckpointSource _checkpoints;
    private readonly TaskCompletionSource<string?> _finished;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InferenceCounters _counters = new();
    private readonly Queue<(JobOffer Offer, SearchJob Job)> _pending = new();
    private readonly List<IActorRef> _idle = [];
    private readonly Dictionary<IActorRef, long> _running = [];
    private readonly Dictionary<string, string> _fetched = [];
    private readonly DateTime _lookingSince = DateTime.UtcNow;
    private InferenceCounts _reported = InferenceCounts.Zero;
    private IActorRef _jobs = ActorRefs.Nobody, _store = ActorRefs.Nobody, _server = ActorRefs.Nobody;
    // The training task, evaluation.task and self_improvement.task: what each kind of job's problems belong to.
    private ITask _task = null!;
    private ITask? _heldOut, _selfPlay;
    private CheckpointRef? _loaded, _loading;
    private string? _stopReason;
    private bool _stopping;

    /// <param name="headPath">The path of the head's job queue: <c>/user/jobs</c> in this process, or
    /// <c>akka.tcp://reasoner@HOST:PORT/user/jobs</c>; its checkpoint store is <c>checkpoints</c> beside it.</param>
    /// <param name="loaderFor">The inference backend loader for the run's config (which the head sends).</param>
    /// <param name="finished">Completed when the node stops: null after the head went away, else the reason it failed.</param>
    public WorkerNode(NodeOptions options, string headPath, Func<ExperimentConfig, Func<string, InferenceBackend>> loaderFor,
        CheckpointSource checkpoints, TaskCompletionSource<string?> finished)
    {
        (_options, _headPath, _loaderFor, _checkpoints, _finished) = (options, headPath, loaderFor, checkpoints, finished);
        Become(LookingForHead);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record LookForHead;

    private sealed record CheckpointReady(CheckpointRef Checkpoint);

    private sealed record CheckpointUnavailable(CheckpointRef Checkpoint, string Reason);

    protected override void PreStart()
    {
        Self.Tell(new LookForHead());
        Timers.StartPeriodicTimer("look", new LookForHead(), TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => _finished.TrySetResult(
        _stopping ? _stopReason
        : CoordinatedShutdown.Get(Context.System).ShutdownReason is { } shutdown ? $"this node's actor system shut down ({shutdown}): the cluster downs a node the head cannot reach"
        : "the worker node stopped after an error (the log says which)");

    // The inference server's state is the weights it serves: a restarted one would serve none while the node believes a
    // checkpoint is loaded, so its failure stops the node. Search workers sit under back-off supervisors of their own;
    // a checkpoint fetcher's failure is its own message (FetchFailed), so any crash of one means a bug: stop it.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(error => Directive.Escalate);

    private void LookingForHead()
    {
        Receive<LookForHead>(_ =>
        {
            if (DateTime.UtcNow - _lookingSince > _options.JoinTimeout)
            {
                Stop($"no job queue answered at {_headPath} within {_options.JoinTimeout.TotalSeconds:0} s: is the head running, and is the address right?");
                return;
            }
            Context.ActorSelection(_headPath).Tell(new Identify("jobs"));
            if (_checkpoints is CheckpointSource.Fetched) Context.ActorSelection(StorePath).Tell(new Identify("checkpoints"));
        });
        Receive<ActorIdentity>(identity =>
        {
            if (identity.Subject is null) return;
            if (Equals(identity.MessageId, "jobs")) _jobs = identity.Subject;
            else if (Equals(identity.MessageId, "checkpoints")) _store = identity.Subject;
            if (_jobs.IsNobody() || (_checkpoints is CheckpointSource.Fetched && _store.IsNobody())) return;
            Timers.Cancel("look");
            Context.Watch(_jobs);
            _jobs.Tell(new RegisterNode(LoopProtocol.Version, _options.Experiment, _options.Name, _options.Workers));
            Become(Registering);
        });
    }

    private string StorePath => _headPath[.._headPath.LastIndexOf('/')] + "/checkpoints";

    private void Registering()
    {
        Receive<NodeRegistered>(OnRegistered);
        Receive<NodeRefused>(refused => Stop($"the head refused this node: {refused.Reason}"));
        Receive<RunEnded>(_ => Stop(null));
        Receive<Terminated>(_ => Stop("the head went away before it answered"));
        Receive<LookForHead>(_ => { });
        Receive<ActorIdentity>(_ => { });
    }

    private void OnRegistered(NodeRegistered registered)
    {
        ExperimentConfig config;
        try
        {
            config = ConfigBinder.Load<ExperimentConfig>(registered.ConfigYaml, $"the config of experiment {registered.Experiment} from the head");
        }
        catch (FormatException error)
        {
            Stop(error.Message);
            return;
        }
        _task = config.Task.Create();
        _heldOut = config.Evaluation.Task?.Create();
        _selfPlay = config.SelfImprovement.Task?.Create();
        var load = _loaderFor(config);
        var batching = new InferenceBatching(config.SelfImprovement.InferenceBatch);
        _server = Context.ActorOf(Props.Create(() => new InferenceServer(load, batching, _counters)).WithDispatcher(AkkaConfig.PinnedDispatcher), "inference");
        for (int i = 0; i < _options.Workers; i++)
        {
            int index = i;
            var worker = Props.Create(() => new SearchWorker(index, Self, _server, _task, config.Task.Rewards, _options.InferenceTimeout));
            Context.ActorOf(BackoffSupervisor.Props(Backoff.OnFailure(worker, $"search{index}", _options.MinBackoff, _options.MaxBackoff, 0.2, -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart))), $"search{index}-backoff");
        }
        _log.Info("Worker node {Node}: {Workers} search workers for experiment {Experiment}", _options.Name, _options.Workers, registered.Experiment);
        _jobs.Tell(new RequestJobs(_options.Workers));
        Become(Working);
    }

    private void Working()
    {
        Receive<JobOffer>(OnOffer);
        Receive<SearchWorker.Ready>(_ =>
        {
            Context.Watch(Sender);
            _running.Remove(Sender);
            if (!_idle.Contains(Sender)) _idle.Add(Sender);
            Pump();
        });
        Receive<SearchWorker.Searched>(searched =>
        {
            _running.Remove(Sender);
            _idle.Add(Sender);
            var now = new InferenceCounts(_counters.Requests, _counters.ProposerCalls, _counters.ValueCalls);
            var since = new InferenceCounts(now.Requests - _reported.Requests, now.ProposerCalls - _reported.ProposerCalls, now.ValueCalls - _reported.ValueCalls);
            _reported = now;
            _jobs.Tell(new JobDone(searched.JobId, EpisodeReport.Of(searched.Episode), since));
            _jobs.Tell(new RequestJobs(1));
            Pump();
        });
        Receive<SearchWorker.SearchFailed>(failed =>
        {
            _running.Remove(Sender);
            ReportFailed(failed.JobId, failed.Error);
        });
        Receive<CheckpointFetcher.Fetched>(fetched =>
        {
            _fetched[fetched.Checkpoint.Sha256] = fetched.Path;
            Load(fetched.Checkpoint, fetched.Path);
        });
        Receive<CheckpointFetcher.FetchFailed>(failed => Self.Tell(new CheckpointUnavailable(failed.Checkpoint, failed.Reason)));
        Receive<CheckpointReady>(ready =>
        {
            (_loaded, _loading) = (ready.Checkpoint, null);
            Pump();
        });
        Receive<CheckpointUnavailable>(unavailable =>
        {
            _log.Error("Worker node {Node}: {Reason}", _options.Name, unavailable.Reason);
            _loading = null;
            int count = _pending.Count;
            for (int i = 0; i < count; i++)
            {
                var entry = _pending.Dequeue();
                if (entry.Offer.Checkpoint == unavailable.Checkpoint) ReportFailed(entry.Offer.JobId, unavailable.Reason);
                else _pending.Enqueue(entry);
            }
            Pump();
        });
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_jobs))
            {
                Stop(null);
                return;
            }
            _idle.Remove(terminated.ActorRef);
            if (_running.Remove(terminated.ActorRef, out long job)) ReportFailed(job, "its search worker stopped");
        });
        Receive<NodeRefused>(refused => Stop($"the head refused this node: {refused.Reason}"));
        Receive<RunEnded>(_ => Stop(null));
    }

    private void OnOffer(JobOffer offer)
    {
        SearchJob job;
        try
        {
            var task = offer.Task switch
            {
                JobTask.HeldOut => _heldOut ?? throw new FormatException("a held-out job, and the run has no evaluation.task"),
                JobTask.SelfPlay => _selfPlay ?? throw new FormatException("a self-play job, and the run has no self_improvement.task"),
                _ => _task,
            };
            var problem = task.FromJson(JsonNode.Parse(offer.ProblemJson) as JsonObject ?? throw new FormatException("the problem is not a JSON object"));
            var plan = new SearchPlan(offer.Plan.Label, new MethodSpec(offer.Plan.Method, offer.Plan.Options), offer.Plan.Budget) { ScoresStates = offer.Plan.ScoresStates };
            job = new SearchJob(problem, plan, offer.Seed, offer.Iteration, offer.Checkpoint.Id, offer.Task == JobTask.Training ? null : task, offer.Task);
        }
        catch (Exception error) when (error is FormatException or System.Text.Json.JsonException)
        {
            ReportFailed(offer.JobId, $"job {offer.JobId} does not parse: {error.Message}");
            return;
        }
        _pending.Enqueue((offer, job));
        Pump();
    }

    /// <summary>Hands pending jobs of the loaded checkpoint to idle workers; loads the next checkpoint once none runs.</summary>
    private void Pump()
    {
        while (_idle.Count > 0 && _pending.Count > 0 && _pending.Peek().Offer.Checkpoint == _loaded)
        {
            var (offer, job) = _pending.Dequeue();
            var worker = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            _running[worker] = offer.JobId;
            worker.Tell(new SearchWorker.Search(offer.JobId, job));
        }
        if (_pending.Count == 0 || _loading is not null || _running.Count > 0 || _pending.Peek().Offer.Checkpoint == _loaded) return;
        var next = _pending.Peek().Offer.Checkpoint;
        _loading = next;
        switch (_checkpoints)
        {
            case CheckpointSource.Local local:
                Load(next, Path.Combine(local.Folder, next.Id));
                break;
            case CheckpointSource.Fetched fetched when _fetched.TryGetValue(next.Sha256, out var path):
                Load(next, path);
                break;
            case CheckpointSource.Fetched fetched:
                _log.Info("Worker node {Node}: fetching checkpoint {Checkpoint} ({Bytes} bytes) from the head", _options.Name, next.Id, next.Length);
                Context.ActorOf(Props.Create(() => new CheckpointFetcher(next, _store, fetched.CacheFolder, _options.ChunkTimeout)));
                break;
        }
    }

    private void Load(CheckpointRef checkpoint, string path) =>
        _server.Ask<InferenceServer.CheckpointLoaded>(new InferenceServer.LoadCheckpoint(path), _options.InferenceTimeout)
            .PipeTo(Self, Self, _ => new CheckpointReady(checkpoint), error => new CheckpointUnavailable(checkpoint, $"checkpoint {checkpoint.Id} does not load: {error.Message}"));

    private void ReportFailed(long jobId, string error)
    {
        _jobs.Tell(new JobFailed(jobId, error));
        _jobs.Tell(new RequestJobs(1));
        Pump();
    }

    private void Stop(string? reason)
    {
        (_stopReason, _stopping) = (reason, true);
        if (reason is not null) _log.Error("Worker node {Node}: {Reason}", _options.Name, reason);
        Context.Stop(Self);
    }
}
