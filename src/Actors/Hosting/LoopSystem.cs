using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace Reasoner.Actors.Hosting;

/// <summary>Creates the ActorSystem of a run or a worker node, with its configuration and its log.</summary>
internal static class LoopSystem
{
    public static ActorSystem Create(Config config, Serilog.ILogger log) =>
        ActorSystem.Create(AkkaConfig.SystemName, BootstrapSetup.Create().WithConfig(config).And(new RunLogSetup(log)));
}
