using Reasoner.Actors.Runtime;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>One problem to search: with which search, from which seed, for which iteration and checkpoint; Task, when
/// set, is the problem's task if it is not the loop's (evaluation on another task's held-out set).</summary>
internal sealed record SearchJob(Problem Problem, SearchPlan Search, int Seed, int Iteration, string Checkpoint, ITask? Task = null);

/// <summary>Told to the progress listener as each episode finishes (once per problem, never for a failed attempt).</summary>
internal sealed record EpisodeSearched(Episode Episode);

/// <summary>
/// The work of each of the n search workers, which run under a <see cref="Patterns.WorkQueue{TItem,TResult}"/>: search one
/// problem through the inference server, score every finished completion with the verifier, report the episode. A
/// search that throws (its worker's inference failed, say) fails the worker; the queue restarts it and hands the problem
/// out again, so every problem is searched to completion exactly once.
/// </summary>
internal static class SearchWorker
{
    public static Func<int, SearchJob, ValueTask<Episode>> Work(ITask task, RewardConfig rewards, IActorRef server, IActorRef progress, TimeSpan inferenceTimeout) =>
        async (worker, job) =>
        {
            // ISearch.Run is synchronous and waits on the server: a thread of its own keeps the pool free for actors.
            var episode = await Task.Factory.StartNew(() => Search(task, rewards, server, inferenceTimeout, worker, job),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            progress.Tell(new EpisodeSearched(episode));
            return episode;
        };

    private static Episode Search(ITask task, RewardConfig rewards, IActorRef server, TimeSpan timeout, int worker, SearchJob job)
    {
        var client = new InferenceClient(server, timeout);
        var problemTask = job.Task ?? task;
        var result = job.Search.Create().Run(problemTask, job.Problem, client, client, job.Search.Budget, new Random(job.Seed));
        client.Flush();
        return Episode.Score(problemTask, rewards, job.Problem, result, new Provenance(job.Iteration, worker, job.Checkpoint), job.Search.ScoresStates);
    }
}
