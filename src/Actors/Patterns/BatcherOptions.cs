namespace Reasoner.Actors.Patterns;

/// <summary>
/// A batch is run when it holds <see cref="MaxBatch"/> requests or <see cref="MaxWait"/> after its first
/// request arrived, whichever comes first. MaxWait bounds the latency a lone request pays to be batched;
/// with many busy senders batches fill before it elapses.
/// </summary>
internal sealed record BatcherOptions
{
    public int MaxBatch { get; init; } = 32;

    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);
}
