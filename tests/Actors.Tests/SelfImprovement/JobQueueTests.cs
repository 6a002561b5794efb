using Akka.Actor;
using Akka.TestKit;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>The head's job queue with test probes for worker nodes: pulls, refusals, lost nodes, duplicates and forgeries.</summary>
public sealed class JobQueueTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly ExperimentConfig Config = new("queue-test", new TaskConfig("countdown", Numbers: 3));
    private static readonly ComputeSpent Spent = new(1, 1, 1, 0, 0, 1, TimeSpan.Zero);
    private readonly ITask _task = Config.Task.Create();
    private readonly string _checkpoint = Path.Combine(Path.GetTempPath(), $"reasoner-queue-{Guid.NewGuid():N}.safetensors");
    private readonly TestProbe _metrics;
    private readonly IActorRef _queue;

    public JobQueueTests() : base(AkkaConfig.Embedded())
    {
        File.WriteAllText(_checkpoint, "weights");
        _metrics = CreateTestProbe();
        _queue = Sys.ActorOf(Props.Create(() => new JobQueue(Config, _task, _metrics.Ref, new QueueOptions(1, false, 10))));
    }

    public new void Dispose()
    {
        File.Delete(_checkpoint);
        base.Dispose();
    }

    private List<SearchJob> Jobs(int count) =>
        [.. _task.Generate(Split.Train, count, seed: 3).Select((p, i) => new SearchJob(p, SearchPlan.ForEvaluation(SearchMethod.System1, new SearchConfig()), i, 1, _checkpoint))];

    private TestProbe Node(string name, int slots, int request, IActorRef? queue = null)
    {
        var node = CreateTestProbe();
        queue ??= _queue;
        node.Send(queue, new RegisterNode(LoopProtocol.Version, null, name, slots));
        Assert.Equal("queue-test", node.ExpectMsg<NodeRegistered>().Experiment);
        if (request > 0) node.Send(queue, new RequestJobs(request));
        return node;
    }

    /// <summary>What an honest node reports for a job: a wrong answer, scored as the verifier scores it.</summary>
    private JobDone Honest(JobOffer offer, string answer = "Answer: 1 + 1 = 2")
    {
        var problem = _task.FromJson(System.Text.Json.Nodes.JsonNode.Parse(offer.ProblemJson)!.AsObject());
        var verdict = _task.Verify(problem, answer, Config.Task.Rewards);
        return new JobDone(offer.JobId, new EpisodeReport("greedy", new ScoredCompletion(answer, verdict.Reward, verdict.Correct, _task.Parse(answer).Answer), [], [], Spent, 0, offer.Checkpoint.Id),
            new InferenceCounts(2, 1, 1));
    }

    [Fact]
    public void ANodeOfAnotherProtocolOrExperimentIsRefusedAndToldWhy()
    {
        var node = CreateTestProbe();
        node.Send(_queue, new RegisterNode(LoopProtocol.Version + 1, null, "future", 2));
        Assert.Contains($"protocol version {LoopProtocol.Version + 1}", node.ExpectMsg<NodeRefused>().Reason);
        node.Send(_queue, new RegisterNode(LoopProtocol.Version, "countdown-grpo", "other", 2));
        Assert.Contains("'countdown-grpo'; this head runs 'queue-test'", node.ExpectMsg<NodeRefused>().Reason);
        node.Send(_queue, new RequestJobs(2));
        Assert.Contains("not registered", node.ExpectMsg<NodeRefused>().Reason);
        var notes = _metrics.ReceiveN(2).Cast<MetricsSink.Note>().ToList();
        Assert.Equal(["future", "other"], notes.Select(n => (string)n.Values[0]));
    }

    [Fact]
    public void JobsArePulledAStoppedNodesJobsGoToAnotherAndEachProblemCountsOnce()
    {
        var jobs = Jobs(3);
        var a = Node("a", slots: 2, request: 2);
        var requester = CreateTestProbe();
        requester.Send(_queue, new JobQueue.Run(jobs));
        var offered = new[] { a.ExpectMsg<JobOffer>(), a.ExpectMsg<JobOffer>() };
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // two free workers, two jobs: the third waits for a pull
        var b = Node("b", slots: 1, request: 1);
        var third = b.ExpectMsg<JobOffer>();
        Assert.Equal(3, offered.Append(third).Select(o => o.JobId).Distinct().Count());

        Sys.Stop(a.Ref); // a node killed mid-search: death watch puts its two jobs back
        b.Send(_queue, Honest(third));
        b.Send(_queue, new RequestJobs(1));
        var again = b.ExpectMsg<JobOffer>();
        Assert.Contains(again.JobId, offered.Select(o => o.JobId));
        b.Send(_queue, Honest(again));
        b.Send(_queue, Honest(third)); // a duplicate answer: ignored
        b.Send(_queue, new RequestJobs(1));
        var last = b.ExpectMsg<JobOffer>();
        b.Send(_queue, Honest(last));

        var completed = requester.ExpectMsg<JobQueue.Completed>();
        Assert.Equal(jobs.Select(j => j.Problem.Id), completed.Results.Select(e => e.Problem.Id));
        Assert.All(completed.Results, e => Assert.Equal("b", e.Provenance.Node));
        Assert.Equal((0, 0), (completed.FailedAttempts, completed.Rejected));
        Assert.Equal(new InferenceCounts(8, 4, 4), completed.Inference); // the duplicate's work was still done
        var lost = _metrics.FishForMessage<MetricsSink.Note>(n => n.MessageTemplate.Contains("is lost"));
        Assert.Equal("a", lost.Values[0]);
        Assert.Equal(2, lost.Values[2]);
    }

    [Fact]
    public void AForgedResultIsRejectedCountedAndItsNodeNamedAndShutOut()
    {
        // A cluster head: with its only node shut out, it waits for another.
        var queue = Sys.ActorOf(Props.Create(() => new JobQueue(Config, _task, _metrics.Ref, new QueueOptions(1, WaitForNodes: true))));
        var jobs = Jobs(1);
        var forger = Node("forger", slots: 1, request: 1, queue);
        var requester = CreateTestProbe();
        requester.Send(queue, new JobQueue.Run(jobs));
        var offer = forger.ExpectMsg<JobOffer>();
        var honest = Honest(offer);
        // A wrong answer reported as correct, reward 1.
        forger.Send(queue, honest with { Episode = honest.Episode with { Chosen = honest.Episode.Chosen with { Reward = 1, Correct = true } } });
        Assert.Contains("verifier does not confirm", forger.ExpectMsg<NodeRefused>().Reason);
        var note = _metrics.FishForMessage<MetricsSink.Note>(n => n.MessageTemplate.Contains("does not confirm"));
        Assert.Equal(("forger", jobs[0].Problem.Id), ((string)note.Values[0], (string)note.Values[1]));

        var good = Node("good", slots: 1, request: 1, queue);
        var retried = good.ExpectMsg<JobOffer>();
        Assert.Equal(offer.JobId, retried.JobId);
        good.Send(queue, Honest(retried));
        var completed = requester.ExpectMsg<JobQueue.Completed>();
        Assert.Equal(1, completed.Rejected);
        Assert.False(Assert.Single(completed.Results).Chosen.Correct);
    }

    [Fact]
    public void AnAnswerThatIsNotItsCompletionsIsAForgeryToo()
    {
        var queue = Sys.ActorOf(Props.Create(() => new JobQueue(Config, _task, _metrics.Ref, new QueueOptions(1, WaitForNodes: true))));
        var forger = Node("voter", slots: 1, request: 1, queue);
        queue.Tell(new JobQueue.Run(Jobs(1)), CreateTestProbe().Ref);
        var honest = Honest(forger.ExpectMsg<JobOffer>());
        // Right rewards, but an answer the completion does not give: it would sway a majority vote.
        forger.Send(queue, honest with { Episode = honest.Episode with { Chosen = honest.Episode.Chosen with { Answer = "24" } } });
        Assert.Contains("verifier does not confirm", forger.ExpectMsg<NodeRefused>().Reason);
    }

    [Fact]
    public void AJobThatKeepsFailingFailsTheRunWithItsError()
    {
        var queue = Sys.ActorOf(Props.Create(() => new JobQueue(Config, _task, _metrics.Ref, new QueueOptions(1, false, MaxAttempts: 2))));
        var node = CreateTestProbe();
        node.Send(queue, new RegisterNode(LoopProtocol.Version, null, "n", 1));
        node.ExpectMsg<NodeRegistered>();
        node.Send(queue, new RequestJobs(1));
        var requester = CreateTestProbe();
        requester.Send(queue, new JobQueue.Run(Jobs(1)));
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var offer = node.ExpectMsg<JobOffer>();
            node.Send(queue, new JobFailed(offer.JobId, "scripted failure"));
            node.Send(queue, new RequestJobs(1));
        }
        var failure = requester.ExpectMsg<Status.Failure>();
        Assert.Contains("failed 2 times", failure.Cause.Message);
        Assert.Contains("scripted failure", failure.Cause.Message);
    }
}
