namespace Reasoner.Actors.Runtime;

internal static class ActorRefExtensions
{
    /// <summary>
    /// Tells <paramref name="message"/> with a temporary sender and returns its reply. Throws
    /// <see cref="AskTimeoutException"/> when none arrives within <paramref name="timeout"/>, the cause of a
    /// <see cref="Status.Failure"/> reply, or OperationCanceledException when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef receiver, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var system = SystemOf(receiver);
        var promise = new PromiseActorRef<T>(system, system.NextAskPath());
        using var timer = new CancellationTokenSource(timeout);
        using var onTimeout = timer.Token.Register(() => promise.Fail(new AskTimeoutException(
            $"Ask of {message.GetType().Name} to {receiver.Path} got no {typeof(T).Name} reply within {timeout.TotalMilliseconds} ms.")));
        using var onCancel = cancellationToken.Register(() => promise.Cancel(cancellationToken));
        receiver.Tell(message, promise);
        return await promise.Task.ConfigureAwait(false);
    }

    /// <summary>Stops <paramref name="actor"/> and waits until it has (PostStop done, watchers told);
    /// false if that took longer than <paramref name="timeout"/>.</summary>
    public static async Task<bool> GracefulStop(this IActorRef actor, TimeSpan timeout)
    {
        if (actor is not LocalActorRef local) return true;
        local.Cell.RequestStop();
        try
        {
            await local.Cell.Completion.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static ActorSystem SystemOf(IActorRef actor) => actor switch
    {
        LocalActorRef local => local.Cell.System,
        _ => throw new ArgumentException($"Ask needs an actor of a local system, not {actor.Path}.", nameof(actor)),
    };
}
