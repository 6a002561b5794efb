using System.Globalization;
using Akka.Configuration;

namespace Reasoner.Actors.Hosting;

/// <summary>
/// The loop's Akka configuration, built here and nowhere else. Every setting that differs from Akka's reference
/// configuration says why. Three shapes: <see cref="Embedded"/> (one process, no port), <see cref="Head"/> and
/// <see cref="Worker"/> (cluster nodes on TCP).
/// </summary>
internal static class AkkaConfig
{
    /// <summary>Every node's ActorSystem has this name: Akka.Cluster only joins systems of the same name.</summary>
    public const string SystemName = "reasoner";

    /// <summary>The dispatcher of actors that run long CPU work inline (inference batches, training): a thread each.</summary>
    public const string PinnedDispatcher = "reasoner.pinned-dispatcher";

    /// <summary>Loopback: remoting is reachable from this machine only unless a host is named.</summary>
    public const string Loopback = "127.0.0.1";

    public const int DefaultPort = 4053;

    /// <summary>One process: the local actor provider opens no port.</summary>
    public static Config Embedded() => ConfigurationFactory.ParseString(Common("local"));

    /// <summary>The head node: supervisor, replay buffer, learner, evaluator and the job queue, at a known port.</summary>
    public static Config Head(string host, int port, TimeSpan? stableAfter = null) =>
        ConfigurationFactory.ParseString(Common("cluster") + Remote(host, port) + ClusterSection("head", stableAfter));

    /// <summary>A worker node; port 0 takes any free port (the head learns it when the node joins).</summary>
    public static Config Worker(string host, int port, TimeSpan? stableAfter = null) =>
        ConfigurationFactory.ParseString(Common("cluster") + Remote(host, port) + ClusterSection("worker", stableAfter));

    private static string Common(string provider) => $$"""
        akka {
          # Akka's own log events go to the run's Serilog logger (Hosting/SerilogBridge), never to the process's console;
          # the formatter reads message templates the way Serilog does.
          loggers = ["Reasoner.Actors.Hosting.SerilogBridge, Reasoner.Actors"]
          logger-formatter = "Akka.Logger.Serilog.SerilogLogMessageFormatter, Akka.Logger.Serilog"
          loglevel = INFO
          # Akka prints to standard output until the loggers start and after they stop: a command's output is its
          # results, so its warnings go to standard error instead (Hosting/SerilogBridge).
          stdout-logger-class = "Reasoner.Actors.Hosting.StartAndStopLogger, Reasoner.Actors"
          stdout-loglevel = WARNING
          # A run's shutdown drops the inference requests of searches that were cancelled: expected, not worth a warning.
          log-dead-letters-during-shutdown = off
          log-dead-letters = 10
          # Tests start several systems in one process; none may hook or exit the process.
          coordinated-shutdown.run-by-clr-shutdown-hook = off
          actor {
            provider = {{provider}}
            # A top-level actor that fails stops rather than restarts: the experiment runner watches the supervisor and
            # reports its failure, where a restarted supervisor would have lost the run's state and left the runner waiting.
            guardian-supervisor-strategy = "Akka.Actor.StoppingSupervisorStrategy"
            serializers {
              loop = "Reasoner.Actors.Cluster.LoopSerializer, Reasoner.Actors"
              # Akka's default for every other type is a JSON serializer that instantiates whatever type name the wire
              # names. A peer is untrusted input: that slot refuses everything, so only the loop's own messages and
              # Akka's internal protobuf messages cross nodes.
              json = "Reasoner.Actors.Cluster.RefusingSerializer, Reasoner.Actors"
            }
            serialization-bindings {
              "Reasoner.Actors.Cluster.ILoopMessage, Reasoner.Actors" = loop
            }
            serialization-identifiers {
              "Reasoner.Actors.Cluster.LoopSerializer, Reasoner.Actors" = {{Cluster.LoopSerializer.Id}}
              # The JSON serializer's identifier, so frames that ask for it reach the refusal.
              "Reasoner.Actors.Cluster.RefusingSerializer, Reasoner.Actors" = 1
            }
          }
        }
        reasoner {
          pinned-dispatcher {
            type = PinnedDispatcher
          }
        }

        """;

    private static string Remote(string host, int port) => $$"""
        akka.remote.dot-netty.tcp {
          hostname = "{{host}}"
          port = {{port.ToString(CultureInfo.InvariantCulture)}}
          # Checkpoints travel in chunks of CheckpointChunks.ChunkBytes (256 KiB); the default frame (128 kB) is too small.
          maximum-frame-size = 1MiB
        }

        """;

    private static string ClusterSection(string role, TimeSpan? stableAfter) => $$"""
        akka.cluster {
          roles = ["{{role}}"]
          # The split-brain resolver downs unreachable nodes so that the head can forget them. keep-oldest keeps the side
          # of the oldest node, which is the head (it starts first); a head alone with its workers gone must stay up.
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          # Worker nodes search with every core: a node that misses heartbeats for 3 s (the default) under full load is
          # not dead, and being declared unreachable costs it its jobs.
          failure-detector.acceptable-heartbeat-pause = 6s
          split-brain-resolver {
            active-strategy = keep-oldest
            keep-oldest.down-if-alone = off
            keep-oldest.role = "head"
            # The head re-queues an unreachable node's jobs at once; downing it can wait less than the default 20 s.
            stable-after = {{(stableAfter ?? TimeSpan.FromSeconds(7)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}}ms
          }
        }

        """;
}
