using Akka.Actor;
using Reasoner.Experiments.SelfImprovement;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Owns the run's <see cref="ReplayBuffer"/>: episodes go in (each re-verified with the task, so a wrong reward never
/// enters training), snapshots come out for the learner. The buffer's state is the actor's alone.
/// </summary>
internal sealed class ReplayBufferActor : ReceiveActor
{
    public ReplayBufferActor(ReplayBuffer buffer)
    {
        Receive<AddEpisodes>(add =>
        {
            var rejected = add.Episodes.Where(e => !buffer.Add(e)).ToList();
            Sender.Tell(new EpisodesAdded(add.Episodes.Count - rejected.Count, rejected.Count, buffer.Count,
                [.. rejected.Select(e => e.Provenance.Node ?? "this process").Distinct()]), Self);
        });
        Receive<TakeSnapshot>(take => Sender.Tell(new Snapshot(take.OnlyIteration is { } k ? buffer.FromIteration(k) : buffer.All()), Self));
    }

    /// <summary>Replies <see cref="EpisodesAdded"/>.</summary>
    public sealed record AddEpisodes(IReadOnlyList<Episode> Episodes);

    /// <summary><paramref name="Rejected"/>: episodes whose rewards the verifier did not confirm, searched on
    /// <paramref name="RejectedFrom"/> (the nodes named); <paramref name="Held"/>: the buffer's size after.</summary>
    public sealed record EpisodesAdded(int Accepted, int Rejected, int Held, IReadOnlyList<string> RejectedFrom);

    /// <summary>Every episode held, or only those of one iteration (on-policy training); replies <see cref="Snapshot"/>.</summary>
    public sealed record TakeSnapshot(int? OnlyIteration = null);

    public sealed record Snapshot(IReadOnlyList<Episode> Episodes);
}
