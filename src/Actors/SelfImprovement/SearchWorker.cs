using Akka.Actor;
using Reasoner.Actors.Cluster;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>One problem to search: with which search, from which seed, for which iteration and checkpoint. Kind says which
/// task the problem belongs to (the training task's, evaluation.task's or self_improvement.task's; a node's offer carries
/// it); Task is that task when it is not the training task.</summary>
internal sealed record SearchJob(Problem Problem, SearchPlan Search, int Seed, int Iteration, string Checkpoint, ITask? Task = null, JobTask Kind = JobTask.Training);

/// <summary>Told to the progress listener as each episode is accepted (once per problem, never for a failed attempt).</summary>
internal sealed record EpisodeSearched(Episode Episode);

/// <summary>
/// One of a node's search workers: searches one problem at a time through the node's inference server, scores every
/// finished completion with the verifier and reports the episode to its node. <see cref="ISearch.Run"/> is synchronous
/// and waits on the inference server, so the search runs on a thread of its own and its result comes back as a message
/// (PipeTo); the actor stays free to be stopped, which cancels the search's waits. A search that throws fails the
/// worker after it has told its node: its back-off supervisor starts a fresh one after a pause (a failing inference
/// server usually needs a moment), and the node hands the job back to the head.
/// </summary>
internal sealed class SearchWorker : ReceiveActor
{
    private readonly int _index;
    private readonly IActorRef _node;
    private readonly CancellationTokenSource _stopping = new();

    public SearchWorker(int index, IActorRef node, IActorRef server, ITask task, RewardConfig rewards, TimeSpan inferenceTimeout)
    {
        (_index, _node) = (index, node);
        Receive<Search>(search =>
        {
            var job = search.Job;
            var token = _stopping.Token;
            Task.Factory.StartNew(() => Run(task, rewards, server, inferenceTimeout, token, index, job), token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .PipeTo(Self, Self, episode => new Searched(search.JobId, episode), error => new Failed(search.JobId, error));
        });
        Receive<Searched>(searched => _node.Tell(searched, Self));
        Receive<Failed>(failed =>
        {
            _node.Tell(new SearchFailed(failed.JobId, failed.Error.GetBaseException().Message), Self);
            throw new SearchFailedException($"search worker {_index}: job {failed.JobId} failed", failed.Error);
        });
    }

    /// <summary>Search <paramref name="Job"/>; the worker tells its node <see cref="Searched"/> or <see cref="SearchFailed"/>.</summary>
    public sealed record Search(long JobId, SearchJob Job);

    public sealed record Searched(long JobId, Episode Episode);

    public sealed record SearchFailed(long JobId, string Error);

    /// <summary>Told to the node by every fresh instance: it can take a job.</summary>
    public sealed record Ready(int Index);

    private sealed record Failed(long JobId, Exception Error);

    protected override void PreStart() => _node.Tell(new Ready(_index), Self);

    // Not disposed: the abandoned search may still read its token.
    protected override void PostStop() => _stopping.Cancel();

    private static Episode Run(ITask task, RewardConfig rewards, IActorRef server, TimeSpan timeout, CancellationToken cancellation, int worker, SearchJob job)
    {
        // The wait blocks this search's own thread, never a pool thread; cancellation ends it when the worker stops (the
        // search then throws and is abandoned).
        var client = new InferenceClient(request => server.Ask<object>(new InferenceServer.Submit(request), timeout, cancellation).GetAwaiter().GetResult());
        var problemTask = job.Task ?? task;
        var result = job.Search.Create().Run(problemTask, job.Problem, client, client, job.Search.Budget, new Random(job.Seed));
        client.Flush();
        return Episode.Score(problemTask, rewards, job.Problem, result, new Provenance(job.Iteration, worker, job.Checkpoint), job.Search.ScoresStates);
    }
}

/// <summary>A search threw: the worker fails with it so that its supervisor restarts it after a back-off.</summary>
internal sealed class SearchFailedException(string message, Exception inner) : Exception(message, inner);
