using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>A worker node against a test probe standing in for the head's job queue.</summary>
public sealed class WorkerNodeTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly ExperimentConfig Config = new("node-test", new TaskConfig("countdown", Numbers: 3),
        SelfImprovement: new SelfImprovementConfig(Search: new SearchConfig(SearchMethod.SelfConsistency, Samples: 2)));
    private readonly string _folder = Directory.CreateTempSubdirectory("reasoner-node-").FullName;

    public WorkerNodeTests() : base(AkkaConfig.Embedded())
    {
    }

    public new void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        base.Dispose();
    }

    [Fact]
    public async Task ANodeRegistersPullsOneJobPerWorkerSearchesOnTheJobsCheckpointAndStopsWhenTheHeadGoes()
    {
        var task = Config.Task.Create();
        File.WriteAllText(Path.Combine(_folder, "iteration-0.safetensors"), "0.9"); // a scripted checkpoint: skill 0.9
        var head = CreateTestProbe();
        var finished = new TaskCompletionSource<string?>();
        var backend = new ScriptedBackend(task, 0.9);
        var node = Sys.ActorOf(Props.Create(() => new WorkerNode(new NodeOptions { Name = "n1", Workers = 2 }, head.Ref.Path.ToStringWithoutAddress(),
            _ => backend.LoadInference, new CheckpointSource.Local(_folder), finished)), "node");

        var register = head.ExpectMsg<RegisterNode>();
        Assert.Equal((LoopProtocol.Version, "n1", 2), (register.ProtocolVersion, register.Node, register.Slots));
        head.Reply(new NodeRegistered(Config.Name, ConfigWriter.ToYaml(Config)));
        Assert.Equal(2, head.ExpectMsg<RequestJobs>().Count);

        var problems = task.Generate(Split.Train, 2, seed: 1);
        var plan = SearchPlan.ForSelfImprovement(Config.SelfImprovement.Search);
        var checkpoint = CheckpointChunks.Describe(Path.Combine(_folder, "iteration-0.safetensors"));
        for (int i = 0; i < 2; i++)
            head.Reply(new JobOffer(10 + i, JobTask.Training, task.ToJson(problems[i]).ToJsonString(),
                new PlanSpec(plan.Label, plan.Spec.Method, plan.Spec.Options, plan.Budget), Seed: i, Iteration: 1, checkpoint));

        var done = new object[] { head.ExpectMsg<JobDone>(), head.ExpectMsg<RequestJobs>(), head.ExpectMsg<JobDone>(), head.ExpectMsg<RequestJobs>() }
            .OfType<JobDone>().OrderBy(d => d.JobId).ToList();
        Assert.Equal([10L, 11L], done.Select(d => d.JobId));
        Assert.All(done, d => Assert.Equal("iteration-0.safetensors", d.Episode.Checkpoint));
        Assert.All(done, d => Assert.True(d.Episode.Candidates.Count == 2 && d.Episode.Spent.ProposerCalls > 0));
        Assert.True(done.Sum(d => d.Inference.Requests) > 0); // the node's inference counts come back with the episodes

        // The head stops: death watch ends the node, which says it stopped because the head went away (not an error).
        var watcher = CreateTestProbe();
        watcher.Watch(node);
        Sys.Stop(head.Ref);
        watcher.ExpectTerminated(node);
        Assert.Null(await finished.Task);
    }

    [Fact]
    public async Task ANodeThatFindsNoHeadGivesUpAndSaysWhere()
    {
        var finished = new TaskCompletionSource<string?>();
        Func<ExperimentConfig, Func<string, InferenceBackend>> neverLoads = _ => throw new InvalidOperationException("never loads");
        var node = Sys.ActorOf(Props.Create(() => new WorkerNode(new NodeOptions { JoinTimeout = TimeSpan.FromMilliseconds(300) }, "/user/nobody-here",
            neverLoads, new CheckpointSource.Local(_folder), finished)));
        var watcher = CreateTestProbe();
        watcher.Watch(node);
        watcher.ExpectTerminated(node, TimeSpan.FromSeconds(10));
        Assert.Contains("/user/nobody-here", await finished.Task);
    }
}
