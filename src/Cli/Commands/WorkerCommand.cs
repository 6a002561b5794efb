using System.CommandLine;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Tensors;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner worker --join HOST:PORT [--threads N] [--workers K]</c>: a worker node for a head started with
/// <c>reasoner run x.yaml --cluster</c>. It gets the run's config and checkpoints from the head (no shared filesystem),
/// searches with its own inference server and K search workers, and sends the episodes back, until the head's run ends.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var join = new Option<string>("--join") { Description = "The head's HOST:PORT (reasoner run x.yaml --cluster prints it)", Required = true };
        var threads = new Option<int>("--threads") { Description = "Threads for the model's kernels (0: every core)", DefaultValueFactory = _ => 0 };
        var workers = new Option<int>("--workers") { Description = "Search workers, each searching one problem at a time", DefaultValueFactory = _ => 2 };
        var host = new Option<string>("--host") { Description = "The address this node listens on, reachable by the head", DefaultValueFactory = _ => AkkaConfig.Loopback };
        var port = new Option<int>("--port") { Description = "The port this node listens on (0: any free port)", DefaultValueFactory = _ => 0 };
        var experiment = new Option<string?>("--experiment") { Description = "Serve only a head that runs this experiment (its config's name)" };
        var cache = new Option<string?>("--cache") { Description = "Folder for the checkpoints fetched from the head (default: a temporary folder)" };
        var command = new Command("worker", "Join a cluster head (reasoner run --cluster) as a worker node: search its problems with this machine's cores.");
        foreach (var option in new Option[] { join, threads, workers, host, port, experiment, cache }) command.Options.Add(option);
        command.SetAction(async (parse, cancellation) =>
        {
            if (parse.GetValue(workers) < 1) throw new UserInputException($"--workers {parse.GetValue(workers)}: at least one search worker");
            if (parse.GetValue(port) is < 0 or > 65535) throw new UserInputException($"--port {parse.GetValue(port)}: expected 0 to 65535");
            WorkerHost.ParseAddress(parse.GetValue(join)!);
            using var io = CommandIO.Of(parse);
            using var pool = new WorkerPool(parse.GetValue(threads));
            string cacheFolder = parse.GetValue(cache) ?? Path.Combine(Path.GetTempPath(), $"reasoner-worker-{Environment.ProcessId}");
            var node = new NodeOptions { Name = $"{Environment.MachineName}/{Environment.ProcessId}", Workers = parse.GetValue(workers), Experiment = parse.GetValue(experiment) };
            var options = new WorkerHostOptions(parse.GetValue(join)!, parse.GetValue(host)!, parse.GetValue(port), node, cacheFolder);
            io.Log.Information("Worker node {Node} joins {Head} with {Workers} search workers", node.Name, options.Join, node.Workers);
            string? stopped = await WorkerHost.RunAsync(options, config => new GptBackend(config, config.Task.Create(), pool).LoadInference, io.Log);
            if (parse.GetValue(cache) is null && Directory.Exists(cacheFolder)) Directory.Delete(cacheFolder, recursive: true);
            if (stopped is not null) throw new UserInputException($"worker node {node.Name}: {stopped}");
            io.Log.Information("The head's run ended; worker node {Node} stops", node.Name);
            return 0;
        });
        return command;
    }
}
