using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Search;

namespace Reasoner.Actors.Cluster;

/// <summary>
/// The messages that cross nodes: the job protocol between the head's <see cref="SelfImprovement.JobQueue"/> and each
/// node's <see cref="SelfImprovement.WorkerNode"/>, and checkpoint transfer. Bound to <see cref="LoopSerializer"/> under
/// <c>akka.actor.serialization-bindings</c>; in one process they pass by reference and are never serialized.
/// </summary>
internal interface ILoopMessage;

/// <summary>The version of the messages below: a node of another version is refused, by name, when it registers.</summary>
internal static class LoopProtocol
{
    public const int Version = 1;
}

/// <summary>A worker node offers its <paramref name="Slots"/> search workers. <paramref name="Experiment"/>: the only
/// experiment it will serve (null: whichever the head runs).</summary>
internal sealed record RegisterNode(int ProtocolVersion, string? Experiment, string Node, int Slots) : ILoopMessage;

/// <summary>The head accepts the node and tells it the run's resolved config (YAML), which fixes its task and searches.</summary>
internal sealed record NodeRegistered(string Experiment, string ConfigYaml) : ILoopMessage;

/// <summary>The head will not work with this node, and says why.</summary>
internal sealed record NodeRefused(string Reason) : ILoopMessage;

/// <summary>The head's run is over: the node stops (before the head leaves the cluster, so that it never sees the head
/// as merely unreachable).</summary>
internal sealed record RunEnded : ILoopMessage;

/// <summary>Pull: the node has <paramref name="Count"/> more free search workers (credits add up).</summary>
internal sealed record RequestJobs(int Count) : ILoopMessage;

/// <summary>A checkpoint as the nodes know it: its file name in the head's run, its SHA-256 (hex) and its size; with
/// <paramref name="Companion"/>, the file that loads with it (a separate value network beside the policy), fetched with it.</summary>
internal sealed record CheckpointRef(string Id, string Sha256, long Length, CheckpointRef? Companion = null);

/// <summary>Which task a job's problem belongs to: the training task's, <c>evaluation.task</c>'s, or <c>self_improvement.task</c>'s.</summary>
internal enum JobTask
{
    Training = 0,
    HeldOut = 1,
    SelfPlay = 2,
}

/// <summary>A search as it travels: the label that names it in metrics, the factory's method and options, the budget, and
/// whether the node labels the states the value scored (<see cref="SearchPlan.ScoresStates"/>).</summary>
internal sealed record PlanSpec(string Label, string Method, IReadOnlyDictionary<string, string> Options, SearchBudget Budget, bool ScoresStates = false);

/// <summary>One problem to search; the problem as its task's JSON (<see cref="Rewards.ITask.ToJson"/>).</summary>
internal sealed record JobOffer(long JobId, JobTask Task, string ProblemJson, PlanSpec Plan, int Seed, int Iteration, CheckpointRef Checkpoint) : ILoopMessage;

/// <summary>A job's episode, and the node's inference calls since its previous report.</summary>
internal sealed record JobDone(long JobId, EpisodeReport Episode, InferenceCounts Inference) : ILoopMessage;

/// <summary>A job's search threw on the node; the head hands it out again.</summary>
internal sealed record JobFailed(long JobId, string Error) : ILoopMessage;

/// <summary>An <see cref="Episode"/> without its problem: the head attaches the problem of its own job, never the node's.
/// Its scored states are a measurement of the value model (evaluation only), never a reward.</summary>
internal sealed record EpisodeReport(
    string Method, ScoredCompletion Chosen, IReadOnlyList<ScoredCompletion> Candidates, IReadOnlyList<VisitTarget> VisitTargets,
    ComputeSpent Spent, int Worker, string Checkpoint, IReadOnlyList<ScoredState>? ScoredStates = null)
{
    public static EpisodeReport Of(Episode e) =>
        new(e.Method, e.Chosen, e.Candidates, e.VisitTargets, e.Spent, e.Provenance.Worker, e.Provenance.Checkpoint,
            e.ScoredStates.Count > 0 ? e.ScoredStates : null);
}

/// <summary>Inference requests and the backend calls that answered them (how much batching saved).</summary>
internal sealed record InferenceCounts(long Requests, long ProposerCalls, long ValueCalls)
{
    public static InferenceCounts Zero { get; } = new(0, 0, 0);

    public InferenceCounts Plus(InferenceCounts other) =>
        new(Requests + other.Requests, ProposerCalls + other.ProposerCalls, ValueCalls + other.ValueCalls);
}

/// <summary>Chunk <paramref name="Index"/> of a checkpoint, asked of the head's <see cref="CheckpointStore"/>.</summary>
internal sealed record FetchChunk(string CheckpointId, string Sha256, int Index) : ILoopMessage;

internal sealed record CheckpointChunk(string CheckpointId, int Index, int Count, byte[] Bytes) : ILoopMessage;

/// <summary>The store has no such checkpoint (unknown id, or its content is no longer the SHA-256 asked for).</summary>
internal sealed record ChunkRefused(string CheckpointId, string Reason) : ILoopMessage;
