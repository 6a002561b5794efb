using System.Globalization;
using Akka.Actor;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Inference;

namespace Reasoner.Actors.Cluster;

/// <summary>Where a worker node listens and which head it joins.</summary>
/// <param name="Join">The head's HOST:PORT.</param>
/// <param name="Host">The address this node listens on, which the head must be able to reach (loopback by default).</param>
/// <param name="Port">0: any free port.</param>
/// <param name="CheckpointCache">Where fetched checkpoints are kept, each under its SHA-256.</param>
internal sealed record WorkerHostOptions(string Join, string Host, int Port, NodeOptions Node, string CheckpointCache, TimeSpan? StableAfter = null);

/// <summary>
/// A worker node's process side (<c>reasoner worker --join HOST:PORT</c>): an ActorSystem that joins the head's cluster and
/// one <see cref="WorkerNode"/> that pulls the head's jobs, until the head's run ends or the node is refused.
/// </summary>
internal static class WorkerHost
{
    /// <summary>Runs the node; returns null when the head went away (its run ended), else why the node stopped.</summary>
    public static async Task<string?> RunAsync(WorkerHostOptions options, Func<ExperimentConfig, Func<string, InferenceBackend>> loaderFor, Serilog.ILogger log)
    {
        var head = ParseAddress(options.Join);
        var system = LoopSystem.Create(AkkaConfig.Worker(options.Host, options.Port, options.StableAfter), log);
        try
        {
            Akka.Cluster.Cluster.Get(system).JoinSeedNodes([head]);
            var finished = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new WorkerNode(options.Node, $"{head}/user/jobs", loaderFor,
                new CheckpointSource.Fetched(options.CheckpointCache), finished)), "node");
            if (await Task.WhenAny(finished.Task, system.WhenTerminated) != finished.Task)
                return "this node's actor system stopped: the cluster downed it (unreachable from the head for too long?)";
            return await finished.Task;
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The head's Akka address from HOST:PORT.</summary>
    public static Address ParseAddress(string hostPort)
    {
        int colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new FormatException($"--join '{hostPort}': expected HOST:PORT, e.g. 127.0.0.1:{AkkaConfig.DefaultPort}");
        return new Address("akka.tcp", AkkaConfig.SystemName, hostPort[..colon], port);
    }
}
