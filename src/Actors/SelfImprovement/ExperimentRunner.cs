using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>How a run hosts its actors. Without <see cref="Head"/> everything runs in this process and no port opens.</summary>
internal sealed record LoopOptions
{
    /// <summary>The search workers of this process's own node (one process only; their number is the config's workers).</summary>
    public NodeOptions Node { get; init; } = new();

    public QueueOptions Queue { get; init; } = new();

    /// <summary>Akka's own log events (cluster membership, remoting, actors' warnings).</summary>
    public Serilog.ILogger Log { get; init; } = Serilog.Core.Logger.None;

    /// <summary>Run as the head of a cluster: worker nodes join it and do every search.</summary>
    public HeadOptions? Head { get; init; }

    /// <summary>Continue the run in the given directory from its last completed stage (its journal), with its config.</summary>
    public bool Resume { get; init; }
}

/// <summary>The head node's address and how many worker nodes it waits for before the first search.</summary>
/// <param name="Listening">Told "host:port" once the head listens (port 0 picks a free one).</param>
internal sealed record HeadOptions(string Host = AkkaConfig.Loopback, int Port = AkkaConfig.DefaultPort, int MinWorkers = 1,
    Action<string>? Listening = null, TimeSpan? StableAfter = null);

/// <summary>
/// Runs an experiment into its run directory (or resumes one: <see cref="RunJournal"/>): writes the resolved config, starts the actor system (the metrics sink,
/// the job queue, the supervisor, and in one process a worker node of its own; as a cluster head a checkpoint store
/// instead, for the worker nodes that join), waits for the supervisor's answer, then writes summary.md and plots/*.svg.
/// </summary>
internal static class ExperimentRunner
{
    public static async Task<RunSummary> RunAsync(ExperimentConfig config, IExperimentBackend backend, RunDirectory run, ILoopObserver observer,
        LoopOptions? options = null)
    {
        options ??= new LoopOptions();
        RunProgress? progress = null;
        if (options.Resume) progress = RunJournal.Rewind(run);
        else ConfigWriter.Save(config, run.ConfigPath);
        var task = config.Task.Create();
        var head = options.Head;
        var akka = head is null ? AkkaConfig.Embedded() : AkkaConfig.Head(head.Host, head.Port, head.StableAfter);
        var system = LoopSystem.Create(akka, options.Log);
        try
        {
            var metrics = system.ActorOf(Props.Create(() => new MetricsSink(MetricsWriter.ForRun(run), OutcomesWriter.ForRun(run), observer,
                new RunJournal.Writer(run), progress == null ? null : progress.Last, ValueRankingWriter.ForRun(run))), "metrics");
            var queue = head is null ? options.Queue : options.Queue with { MinNodes = head.MinWorkers, WaitForNodes = true };
            var jobs = system.ActorOf(Props.Create(() => new JobQueue(config, task, metrics, queue)), "jobs");
            if (head is null)
            {
                var node = options.Node with { Workers = config.SelfImprovement.Workers };
                var source = new CheckpointSource.Local(run.CheckpointsPath);
                system.ActorOf(Props.Create(() => new WorkerNode(node, jobs.Path.ToStringWithoutAddress(), _ => backend.LoadInference, source,
                    new TaskCompletionSource<string?>())), "node");
            }
            else
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                await cluster.JoinAsync(cluster.SelfAddress);
                system.ActorOf(Props.Create(() => new CheckpointStore(run.CheckpointsPath)), "checkpoints");
                head.Listening?.Invoke($"{cluster.SelfAddress.Host}:{cluster.SelfAddress.Port}");
            }
            var supervisor = system.ActorOf(Props.Create(() => new Supervisor(config, task, backend, run.CheckpointsPath, metrics, jobs, progress)), "supervisor");
            var finished = supervisor.Ask<Supervisor.ExperimentFinished>(new Supervisor.RunExperiment(), TimeSpan.FromDays(7));
            // A supervisor that fails is stopped (AkkaConfig's guardian strategy): its Ask would never be answered.
            if (await Task.WhenAny(finished, supervisor.WatchAsync()) != finished)
                throw new InvalidOperationException("the run's supervisor stopped after an error in one of its actors (the log says which)");
            var summary = (await finished).Summary;
            await jobs.Ask<JobQueue.NodesDismissed>(new JobQueue.DismissNodes(), TimeSpan.FromMinutes(1));
            await system.Terminate();
            RunReport.Write(run);
            return summary;
        }
        finally
        {
            await system.Terminate();
        }
    }
}
