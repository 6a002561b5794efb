namespace Reasoner.Actors.Runtime;

/// <summary>
/// Akka's typed-handler actor: register one handler per message type in the constructor; the first
/// registered handler whose type matches takes the message, the rest go to <see cref="ActorBase.Unhandled"/>.
/// </summary>
internal abstract class ReceiveActor : ActorBase
{
    private readonly List<(Type Type, Func<object, Task> Handler)> _handlers = [];

    protected void Receive<T>(Action<T> handler) =>
        _handlers.Add((typeof(T), m => { handler((T)m); return Task.CompletedTask; }));

    /// <summary>An async handler: the actor handles nothing else until the task completes.</summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler) => _handlers.Add((typeof(T), m => handler((T)m)));

    protected void ReceiveAny(Action<object> handler) =>
        _handlers.Add((typeof(object), m => { handler(m); return Task.CompletedTask; }));

    protected sealed override Task OnReceiveAsync(object message)
    {
        foreach (var (type, handler) in _handlers)
            if (type.IsInstanceOfType(message)) return handler(message);
        Unhandled(message);
        return Task.CompletedTask;
    }
}
