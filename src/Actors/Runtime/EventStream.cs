namespace Reasoner.Actors.Runtime;

/// <summary>
/// The system's broadcast of <see cref="DeadLetter"/>, <see cref="UnhandledMessage"/> and
/// <see cref="ActorFailed"/>. Handlers run synchronously on the publishing actor's thread, so they must be
/// quick and must not throw (a logger, a counter, a test's signal).
/// </summary>
internal sealed class EventStream
{
    private readonly object _lock = new();
    private Action<object>[] _subscribers = [];

    public IDisposable Subscribe<TEvent>(Action<TEvent> handler)
    {
        Action<object> filtered = e => { if (e is TEvent typed) handler(typed); };
        lock (_lock) _subscribers = [.. _subscribers, filtered];
        return new Subscription(this, filtered);
    }

    public void Publish(object @event)
    {
        // Copy-on-write array: publishing never takes the lock.
        foreach (var subscriber in Volatile.Read(ref _subscribers)) subscriber(@event);
    }

    private void Unsubscribe(Action<object> handler)
    {
        lock (_lock) _subscribers = [.. _subscribers.Where(s => s != handler)];
    }

    private sealed class Subscription(EventStream stream, Action<object> handler) : IDisposable
    {
        public void Dispose() => stream.Unsubscribe(handler);
    }
}
