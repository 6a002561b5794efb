using Akka.Actor;
using Akka.Cluster;
using Reasoner.Actors.Cluster;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>How the head's job queue treats its worker nodes.</summary>
/// <param name="MinNodes">Jobs wait until this many worker nodes have registered (once; a node lost later does not stop the run).</param>
/// <param name="WaitForNodes">With every node gone mid-run, wait for another to join (a cluster) rather than fail (one process).</param>
/// <param name="MaxAttempts">A job whose search throws this many times fails the run, with its last error.</param>
internal sealed record QueueOptions(int MinNodes = 1, bool WaitForNodes = false, int MaxAttempts = 10);

/// <summary>
/// The head's queue of search jobs, from which worker nodes pull (<see cref="WorkerNode"/>): a node registers with the
/// experiment it will serve and the protocol version it speaks, and is refused, told why, if either differs; then it
/// asks for jobs as its search workers come free. The queue tracks each node's jobs in flight, so a node that stops
/// (death watch) or becomes unreachable (cluster membership) has them put back at the front of the queue, and the log
/// names the node and the problems it lost. Every job has an id unique in the run: a result counts once, the first time
/// it comes, so a job searched twice (its node was lost, then answered after all) is still counted exactly once. Every
/// result is checked with the verifier before it is accepted (rewards, correctness, and the answers that majority votes
/// count; the value model's scores cannot be checked): a node whose rewards the verifier does not confirm is
/// named in the log, its result rejected and counted, and it gets no more work. Ask with <see cref="Run"/>; the reply is
/// <see cref="Completed"/>, or a <see cref="Status.Failure"/> when a job keeps failing. One run at a time.
/// </summary>
internal sealed class JobQueue : ReceiveActor
{
    private readonly ExperimentConfig _config;
    private readonly ITask _task;
    private readonly IActorRef _metrics;
    private readonly QueueOptions _options;
    private readonly string _configYaml;
    private readonly Dictionary<IActorRef, Node> _nodes = [];
    // Each checkpoint's SHA-256, computed once per file version rather than once per job.
    private readonly Dictionary<(string Path, DateTime Written, long Length), CheckpointRef> _checkpoints = [];
    private long _nextJobId = 1;
    private bool _reachedMinimum;
    private Batch? _batch;

    public JobQueue(ExperimentConfig config, ITask task, IActorRef metrics, QueueOptions options)
    {
        (_config, _task, _metrics, _options) = (config, task, metrics, options);
        _configYaml = ConfigWriter.ToYaml(config);
        Receive<Run>(OnRun);
        Receive<RegisterNode>(OnRegister);
        Receive<RequestJobs>(OnRequest);
        Receive<JobDone>(OnDone);
        Receive<JobFailed>(OnFailed);
        Receive<Terminated>(terminated => Lose(terminated.ActorRef, "it stopped"));
        Receive<ClusterEvent.UnreachableMember>(e => LoseAt(e.Member.Address, "it became unreachable"));
        Receive<ClusterEvent.MemberRemoved>(e => LoseAt(e.Member.Address, "it left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<DismissNodes>(_ =>
        {
            foreach (var node in _nodes.Keys) node.Tell(new RunEnded(), Self);
            Sender.Tell(new NodesDismissed(_nodes.Count), Self);
        });
    }

    /// <summary>The run is over: every node is told to stop; replies <see cref="NodesDismissed"/>.</summary>
    public sealed record DismissNodes;

    public sealed record NodesDismissed(int Nodes);

    /// <summary>Search every job; replies <see cref="Completed"/>.</summary>
    public sealed record Run(IReadOnlyList<SearchJob> Jobs);

    /// <summary><paramref name="Results"/>[i] is job i's episode (its provenance names the node); <paramref name="FailedAttempts"/>
    /// counts searches that threw and were retried, <paramref name="Rejected"/> results the verifier did not confirm.</summary>
    public sealed record Completed(IReadOnlyList<Episode> Results, int FailedAttempts, int Rejected, InferenceCounts Inference);

    /// <summary>A registered node: its name, free search workers it asked work for, and its jobs in flight.</summary>
    private sealed class Node(string name, int slots)
    {
        public string Name { get; } = name;
        public int Slots { get; } = slots;
        public int Credits { get; set; }
        public HashSet<long> InFlight { get; } = [];
    }

    /// <summary>The jobs of one <see cref="Run"/>, by id, with what has come back.</summary>
    private sealed class Batch(IActorRef requester, IReadOnlyList<SearchJob> jobs, long firstId)
    {
        public IActorRef Requester { get; } = requester;
        public IReadOnlyList<SearchJob> Jobs { get; } = jobs;
        public long FirstId { get; } = firstId;
        public Episode?[] Results { get; } = new Episode?[jobs.Count];
        public int[] Attempts { get; } = new int[jobs.Count];
        public LinkedList<long> Queued { get; } = new(Enumerable.Range(0, jobs.Count).Select(i => firstId + i));
        public int Remaining { get; set; } = jobs.Count;
        public int FailedAttempts { get; set; }
        public int Rejected { get; set; }
        public InferenceCounts Inference { get; set; } = InferenceCounts.Zero;

        public int? IndexOf(long jobId) => jobId >= FirstId && jobId < FirstId + Jobs.Count ? (int)(jobId - FirstId) : null;
    }

    protected override void PreStart()
    {
        // Membership events exist only in a cluster; in one process death watch is all there is (and all it needs).
        if (((ExtendedActorSystem)Context.System).Provider is ClusterActorRefProvider)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
    }

    private void OnRun(Run run)
    {
        if (_batch is not null)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException("the job queue is already running a batch of jobs")), Self);
            return;
        }
        _batch = new Batch(Sender, run.Jobs, _nextJobId);
        _nextJobId += run.Jobs.Count;
        if (!_reachedMinimum && _options.WaitForNodes)
            Note("Waiting for {Needed} worker node(s) to join; {Joined} so far", _options.MinNodes, _nodes.Count);
        Dispatch();
    }

    private void OnRegister(RegisterNode register)
    {
        string name = Sender.Path.Address.HasGlobalScope ? $"{register.Node}@{Sender.Path.Address.Host}:{Sender.Path.Address.Port}" : register.Node;
        string? refusal =
            register.ProtocolVersion != LoopProtocol.Version ? $"it speaks protocol version {register.ProtocolVersion}; this head speaks {LoopProtocol.Version}"
            : register.Experiment is { } wanted && wanted != _config.Name ? $"it serves experiment '{wanted}'; this head runs '{_config.Name}'"
            : register.Slots < 1 ? $"it offers {register.Slots} search workers"
            : null;
        if (refusal is not null)
        {
            Note("Refused worker node {Node}: {Reason}", name, refusal);
            Sender.Tell(new NodeRefused(refusal), Self);
            return;
        }
        if (_nodes.ContainsKey(Sender)) return;
        _nodes[Sender] = new Node(name, register.Slots);
        Context.Watch(Sender);
        Sender.Tell(new NodeRegistered(_config.Name, _configYaml), Self);
        Note("Worker node {Node} joined with {Workers} search workers", name, register.Slots);
        if (!_reachedMinimum && _nodes.Count >= _options.MinNodes) _reachedMinimum = true;
        Dispatch();
    }

    private void OnRequest(RequestJobs request)
    {
        if (!_nodes.TryGetValue(Sender, out var node))
        {
            Sender.Tell(new NodeRefused("this node is not registered (or was lost): start it again to rejoin"), Self);
            return;
        }
        // Never more than the node's workers: what it holds plus what it may still get.
        node.Credits = Math.Clamp(node.Credits + request.Count, 0, node.Slots - node.InFlight.Count);
        Dispatch();
    }

    private void OnDone(JobDone done)
    {
        if (!_nodes.TryGetValue(Sender, out var node)) return; // a lost node's late answer: its jobs went to others
        node.InFlight.Remove(done.JobId);
        if (_batch?.IndexOf(done.JobId) is not { } index) return; // an earlier batch's job, searched twice
        var batch = _batch;
        batch.Inference = batch.Inference.Plus(done.Inference);
        if (batch.Results[index] is not null) return; // searched twice: the first result counts

        var job = batch.Jobs[index];
        var report = done.Episode;
        var episode = new Episode(job.Problem, report.Method, report.Chosen, report.Candidates, report.VisitTargets, report.Spent,
            new Provenance(job.Iteration, report.Worker, job.Checkpoint, node.Name)) { ScoredStates = report.ScoredStates ?? [] };
        if (!ReplayBuffer.Confirms(job.Task ?? _task, _config.Task.Rewards, episode) || !AnswersAreTheirCompletions(job.Task ?? _task, episode))
        {
            batch.Rejected++;
            Note("Worker node {Node} reported rewards for problem {Problem} that the verifier does not confirm: its result is rejected ({Rejected} so far) and the node gets no more work",
                node.Name, job.Problem.Id, batch.Rejected);
            batch.Queued.AddFirst(done.JobId);
            Sender.Tell(new NodeRefused("it reported rewards that the verifier does not confirm"), Self);
            Lose(Sender, "it reported rewards the verifier does not confirm");
            return;
        }
        batch.Results[index] = episode;
        batch.Remaining--;
        _metrics.Tell(new EpisodeSearched(episode));
        Dispatch();
    }

    // Majority votes count the answers a node reports with its completions: they must be the ones the completions give.
    private static bool AnswersAreTheirCompletions(ITask task, Episode episode) =>
        episode.Candidates.Append(episode.Chosen).All(c => c.Answer == task.Parse(c.Completion).Answer);

    private void OnFailed(JobFailed failed)
    {
        if (!_nodes.TryGetValue(Sender, out var node)) return;
        node.InFlight.Remove(failed.JobId);
        if (_batch?.IndexOf(failed.JobId) is not { } index || _batch.Results[index] is not null) return;
        var batch = _batch;
        batch.FailedAttempts++;
        if (++batch.Attempts[index] >= _options.MaxAttempts)
        {
            Fail(new InvalidOperationException(
                $"problem {batch.Jobs[index].Problem.Id} failed {batch.Attempts[index]} times; the last time on worker node {node.Name}: {failed.Error}"));
            return;
        }
        batch.Queued.AddFirst(failed.JobId);
        Dispatch();
    }

    private void LoseAt(Address address, string reason)
    {
        foreach (var node in _nodes.Keys.Where(n => n.Path.Address.Equals(address)).ToList()) Lose(node, reason);
    }

    private void Lose(IActorRef nodeRef, string reason)
    {
        if (!_nodes.Remove(nodeRef, out var node)) return;
        Context.Unwatch(nodeRef);
        var lost = node.InFlight.Where(id => _batch?.IndexOf(id) is { } i && _batch.Results[i] is null).ToList();
        foreach (long id in lost) _batch!.Queued.AddFirst(id);
        // Between runs (the head shutting down, say) a node that leaves loses nothing and is not worth a line.
        if (_batch is not null || lost.Count > 0)
            Note("Worker node {Node} is lost ({Reason}); its {Count} job(s) in flight go back to the queue: {Problems}",
            node.Name, reason, lost.Count, string.Join(", ", lost.Select(id => _batch!.Jobs[_batch.IndexOf(id)!.Value].Problem.Id)));
        Dispatch();
    }

    /// <summary>Offers queued jobs to the nodes that asked for them, the least busy first, and answers a finished run.</summary>
    private void Dispatch()
    {
        if (_batch is not { } batch) return;
        if (batch.Remaining == 0)
        {
            batch.Requester.Tell(new Completed(batch.Results.Select(r => r!).ToList(), batch.FailedAttempts, batch.Rejected, batch.Inference), Self);
            _batch = null;
            return;
        }
        if (!_reachedMinimum) return;
        if (_nodes.Count == 0 && !_options.WaitForNodes)
        {
            Fail(new InvalidOperationException($"every worker node is gone with {batch.Remaining} of {batch.Jobs.Count} problems unsearched"));
            return;
        }
        while (batch.Queued.Count > 0 && _nodes.Where(n => n.Value.Credits > 0).OrderBy(n => n.Value.InFlight.Count).FirstOrDefault() is { Key: not null } free)
        {
            long id = batch.Queued.First!.Value;
            batch.Queued.RemoveFirst();
            var node = free.Value;
            node.Credits--;
            node.InFlight.Add(id);
            free.Key.Tell(Offer(id, batch.Jobs[batch.IndexOf(id)!.Value]), Self);
        }
    }

    private JobOffer Offer(long id, SearchJob job)
    {
        var file = new FileInfo(job.Checkpoint);
        var key = (file.FullName, file.LastWriteTimeUtc, file.Length);
        if (!_checkpoints.TryGetValue(key, out var checkpoint)) _checkpoints[key] = checkpoint = CheckpointChunks.Describe(job.Checkpoint);
        var task = job.Task ?? _task;
        var plan = new PlanSpec(job.Search.Label, job.Search.Spec.Method, job.Search.Spec.Options, job.Search.Budget, job.Search.ScoresStates);
        return new JobOffer(id, job.Kind, task.ToJson(job.Problem).ToJsonString(), plan,
            job.Seed, job.Iteration, checkpoint);
    }

    private void Fail(Exception error)
    {
        _batch!.Requester.Tell(new Status.Failure(error), Self);
        _batch = null;
    }

    private void Note(string template, params object[] values) => _metrics.Tell(new MetricsSink.Note(template, values));
}
