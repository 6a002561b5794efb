using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Actors.Tests.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Runs;
using Reasoner.Rewards;

namespace Reasoner.Actors.Tests.Cluster;

/// <summary>
/// A head and worker nodes as separate ActorSystems on loopback, in one test process, at ephemeral ports: the worker gets
/// the config and checkpoints over Akka, searches, and the run completes with every problem searched once.
/// </summary>
public sealed class ClusterRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "reasoner-cluster-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ExperimentConfig Config() => new(
        "cluster-test", new TaskConfig("countdown", Numbers: 3), Seed: 4,
        Imitation: new ImitationConfig(Demonstrations: 8, Steps: 1),
        SelfImprovement: new SelfImprovementConfig(SelfImprovementAlgorithm.ExpertIteration, Iterations: 2, ProblemsPerIteration: 12,
            Search: new SearchConfig(SearchMethod.SelfConsistency, Samples: 4), Workers: 2, StepsPerIteration: 1),
        // A sampling run of 4 for the equal-compute curves: its answers and value scores cross the wire too.
        Evaluation: new EvaluationConfig(10, [SearchMethod.System1, SearchMethod.BestOfN], Budgets: new EvaluationBudgets(Samples: 4)));

    // Unreachable nodes are downed after 2 s here rather than 7: the tests stop systems on purpose.
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(2);

    private WorkerHostOptions Worker(string join, string name, int workers = 2) =>
        new(join, AkkaConfig.Loopback, 0, new NodeOptions { Name = name, Workers = workers }, Path.Combine(_folder, name), StableAfter);

    /// <summary>A head on an ephemeral loopback port, running <paramref name="config"/>; returns once it listens.</summary>
    private async Task<(RunDirectory Run, RecordingObserver Observer, Task<RunSummary> Head, string Address)> StartHeadAsync(ExperimentConfig config)
    {
        var run = RunDirectory.Create(_folder, config.Name, TimeProvider.System);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = new RecordingObserver();
        var head = ExperimentRunner.RunAsync(config, new ScriptedBackend(config.Task.Create(), 0.35), run, observer,
            new LoopOptions { Head = new HeadOptions(AkkaConfig.Loopback, 0, MinWorkers: 1, listening.SetResult, StableAfter) });
        return (run, observer, head, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AHeadAndAWorkerNodeOnLoopbackRunATinyExperimentWithEveryProblemOnce()
    {
        var config = Config();
        var (run, observer, head, address) = await StartHeadAsync(config);
        var loader = new ScriptedBackend(config.Task.Create(), 0.35);
        // A node started for another experiment is refused, and told why.
        var stranger = Worker(address, "stranger") with { Node = new NodeOptions { Name = "stranger", Experiment = "countdown-grpo" } };
        string? refused = await WorkerHost.RunAsync(stranger, _ => loader.LoadInference, Serilog.Core.Logger.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("it serves experiment 'countdown-grpo'; this head runs 'cluster-test'", refused);

        var worker = WorkerHost.RunAsync(Worker(address, "w1"), _ => loader.LoadInference, Serilog.Core.Logger.None);

        var summary = await head.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Null(await worker.WaitAsync(TimeSpan.FromSeconds(30))); // the head's run ended: the worker stops cleanly

        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        Assert.Equal(3 * 3 * 10, outcomes.Count); // iterations 0..2; System 1, best-of-n and the sampling run; 10 problems
        Assert.Equal(outcomes.Count, outcomes.Select(o => (o.Iteration, o.Method, o.ProblemId)).Distinct().Count());
        Assert.All(outcomes.Where(o => o.Method == EvaluationPlan.SamplingLabel), o => Assert.Equal(4, o.Samples!.Count));
        Assert.All(summary.Iterations, i => Assert.Equal((12, 12, 0), (i.Searched, i.DistinctProblems, i.Rejected)));
        Assert.True(summary.Iterations.All(i => i.InferenceRequests > 0 && i.ProposerCalls <= i.InferenceRequests)); // counts flowed back
        Assert.True(summary.Accuracy[^1]["system1"] > summary.Accuracy[0]["system1"]); // checkpoints travelled: the worker used the new ones
        Assert.Contains(observer.Notes, n => n.Contains("joined", StringComparison.Ordinal));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_folder, "w1")).Length); // each checkpoint fetched once, by SHA-256
    }

    [Fact]
    public async Task AForgingNodeIsRejectedCountedAndNamedAndAnHonestOneFinishesTheRun()
    {
        var config = Config() with { SelfImprovement = Config().SelfImprovement with { Iterations = 1 } };
        var (run, observer, head, address) = await StartHeadAsync(config);

        // The forger registers first and is the only node for a while: it is sure to be offered jobs.
        var forgerSystem = LoopSystem.Create(AkkaConfig.Worker(AkkaConfig.Loopback, 0, StableAfter), Serilog.Core.Logger.None);
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        forgerSystem.ActorOf(Props.Create(() => new ForgingNode($"{WorkerHost.ParseAddress(address)}/user/jobs", config.Task.Create(), refused)), "forger");
        string reason = await refused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("verifier does not confirm", reason);

        var loader = new ScriptedBackend(config.Task.Create(), 0.35);
        var worker = WorkerHost.RunAsync(Worker(address, "honest"), _ => loader.LoadInference, Serilog.Core.Logger.None);
        var summary = await head.WaitAsync(TimeSpan.FromMinutes(2));
        await worker.WaitAsync(TimeSpan.FromSeconds(30));
        await forgerSystem.Terminate();

        // The forger's one result was rejected, counted and its node named; the honest node searched that problem again.
        var forged = Assert.Single(observer.Values, v => v.Template.Contains("does not confirm", StringComparison.Ordinal));
        Assert.StartsWith("forger@127.0.0.1:", (string)forged.Values[0]);
        Assert.Equal(1, forged.Values[2]);
        Assert.Contains(observer.Values, v => v.Template.Contains("is lost", StringComparison.Ordinal) && ((string)v.Values[0]).StartsWith("forger@", StringComparison.Ordinal));
        var outcomes = MetricsReader.ReadOutcomes(run.OutcomesPath);
        Assert.Equal(2 * 3 * 10, outcomes.Count);
        Assert.Equal(outcomes.Count, outcomes.Select(o => (o.Iteration, o.Method, o.ProblemId)).Distinct().Count());
        Assert.Equal((12, 12), (summary.Iterations[0].Searched, summary.Iterations[0].DistinctProblems));
    }

    /// <summary>A worker node that lies: every job it is offered comes back as a wrong answer reported correct, reward 1.</summary>
    private sealed class ForgingNode : ReceiveActor
    {
        public ForgingNode(string headPath, ITask task, TaskCompletionSource<string> refused)
        {
            IActorRef jobs = ActorRefs.Nobody;
            Receive<ActorIdentity>(identity =>
            {
                if (identity.Subject is null)
                {
                    Context.ActorSelection(headPath).Tell(new Identify(null));
                    return;
                }
                jobs = identity.Subject;
                jobs.Tell(new RegisterNode(LoopProtocol.Version, null, "forger", 1));
            });
            Receive<NodeRegistered>(_ => jobs.Tell(new RequestJobs(1)));
            Receive<JobOffer>(offer =>
            {
                var spent = new Search.ComputeSpent(1, 1, 1, 0, 0, 1, TimeSpan.Zero);
                var lie = new Experiments.SelfImprovement.ScoredCompletion("Answer: 1 + 1 = 2", 1, true);
                jobs.Tell(new JobDone(offer.JobId, new EpisodeReport(offer.Plan.Method, lie, [lie], [], spent, 0, offer.Checkpoint.Id), InferenceCounts.Zero));
                jobs.Tell(new RequestJobs(1));
            });
            Receive<NodeRefused>(no => refused.TrySetResult(no.Reason));
            Context.ActorSelection(headPath).Tell(new Identify(null));
        }
    }
}
