namespace Reasoner.Actors.Runtime;

/// <summary>
/// How to make an actor: a factory called once at start and once per restart, so a restart always begins
/// from a fresh instance (Akka's <c>Props.Create(() => new MyActor(...))</c>). Capture only immutable
/// arguments or shared services in the factory, never the state a restart should discard.
/// </summary>
internal sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Func<ActorBase> factory) => _factory = factory;

    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase => new(factory);

    public static Props Create<TActor>() where TActor : ActorBase, new() => new(() => new TActor());

    internal ActorBase NewActor() => _factory();
}
