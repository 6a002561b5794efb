using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

/// <summary>Replies every message to its sender.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
}

/// <summary>A counter whose state shows whether a failure resumed or restarted it. Reports its lifecycle
/// hooks to <paramref name="events"/> when given.</summary>
internal sealed class Counter : ReceiveActor
{
    private readonly IActorRef? _events;
    private int _count;

    public Counter(IActorRef? events = null)
    {
        _events = events;
        Receive<Increment>(_ => _count++);
        Receive<GetCount>(_ => Sender.Tell(_count, Self));
        Receive<Fail>(f => throw f.Exception);
    }

    public sealed record Increment;

    public sealed record GetCount;

    public sealed record Fail(Exception Exception);

    public sealed record Started(IActorRef Actor);

    public sealed record Stopped(IActorRef Actor);

    public sealed record Restarting(Exception Reason, object? Message);

    protected override void PreStart() => _events?.Tell(new Started(Self), Self);

    protected override void PostStop() => _events?.Tell(new Stopped(Self), Self);

    protected override void PreRestart(Exception reason, object? message)
    {
        _events?.Tell(new Restarting(reason, message), Self);
        base.PreRestart(reason, message);
    }
}

/// <summary>A parent that creates its children with the given props and supervises them with the given strategy.</summary>
internal sealed class Parent : ReceiveActor
{
    private readonly OneForOneStrategy _strategy;

    public Parent(OneForOneStrategy strategy)
    {
        _strategy = strategy;
        Receive<CreateChild>(c => Sender.Tell(Context.ActorOf(c.Props, c.Name), Self));
        Receive<GetChildren>(_ => Sender.Tell(Context.Children, Self));
    }

    public sealed record CreateChild(Props Props, string? Name);

    public sealed record GetChildren;

    protected override OneForOneStrategy SupervisorStrategy() => _strategy;
}
