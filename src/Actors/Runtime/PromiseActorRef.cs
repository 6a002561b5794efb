namespace Reasoner.Actors.Runtime;

/// <summary>The temporary sender of an Ask: its first reply completes the task, later ones are dead letters.
/// A <see cref="Status.Failure"/> reply throws its cause; a reply of another type than T throws
/// InvalidCastException naming both types.</summary>
internal sealed class PromiseActorRef<T>(ActorSystem system, string path) : IActorRef
{
    private readonly TaskCompletionSource<T> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Path { get; } = path;

    internal Task<T> Task => _reply.Task;

    public void Tell(object message, IActorRef? sender = null)
    {
        var completed = message switch
        {
            T reply => _reply.TrySetResult(reply),
            Status.Failure failure => _reply.TrySetException(failure.Cause),
            _ => _reply.TrySetException(new InvalidCastException(
                $"Ask expected a reply of type {typeof(T).Name} but {sender?.Path ?? "no sender"} replied {message.GetType().Name}.")),
        };
        if (!completed) system.DeadLetterSink.Publish(message, sender, this);
    }

    internal void Fail(Exception exception) => _reply.TrySetException(exception);

    internal void Cancel(CancellationToken cancellationToken) => _reply.TrySetCanceled(cancellationToken);

    public override string ToString() => Path;
}
