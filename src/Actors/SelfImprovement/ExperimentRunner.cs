using Reasoner.Actors.Patterns;
using Reasoner.Actors.Runtime;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Runs;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// Runs an experiment into its run directory: writes the resolved config, starts one actor system with the metrics
/// sink and the supervisor, waits for the supervisor's answer, then writes summary.md and plots/*.svg from the metrics.
/// </summary>
internal static class ExperimentRunner
{
    public static async Task<RunSummary> RunAsync(ExperimentConfig config, IExperimentBackend backend, RunDirectory run, ILoopObserver observer,
        WorkQueueOptions? workerOptions = null)
    {
        ConfigWriter.Save(config, run.ConfigPath);
        var workers = (workerOptions ?? new WorkQueueOptions()) with { Workers = config.SelfImprovement.Workers };
        var task = config.Task.Create();
        var counters = new InferenceCounters();
        await using (var system = ActorSystem.Create(config.Name))
        {
            var metrics = system.ActorOf(Props.Create(() => new MetricsSink(MetricsWriter.ForRun(run), OutcomesWriter.ForRun(run), observer, ValueRankingWriter.ForRun(run))), "metrics");
            var supervisor = system.ActorOf(Props.Create(() => new Supervisor(config, task, backend, run.CheckpointsPath, metrics, counters, workers)), "supervisor");
            var finished = await supervisor.Ask<Supervisor.ExperimentFinished>(new Supervisor.RunExperiment(), TimeSpan.FromDays(7));
            await system.Terminate();
            RunReport.Write(run);
            return finished.Summary;
        }
    }
}
