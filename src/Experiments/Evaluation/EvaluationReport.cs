using System.Text;
using System.Text.Json;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.Reports;
using Reasoner.Experiments.Statistics;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// Every evaluated method on the same problems and seed, and each method's paired test against System 1; with the
/// searches of the equal-compute curves (<see cref="Budgeted"/>: a sampling run and smaller tree searches), the
/// comparison at equal generated tokens (<see cref="EqualCompute"/>).
/// </summary>
public sealed record EvaluationReport(string Task, string Split, int N, int Seed, IReadOnlyList<MethodEvaluation> Methods, IReadOnlyList<PairedComparison> Paired,
    IReadOnlyList<MethodEvaluation>? Budgeted = null)
{
    public IReadOnlyList<MethodEvaluation> Budgeted { get; init; } = Budgeted ?? [];

    /// <summary>Every method's and every budgeted search's outcome per problem, as a run's outcomes.jsonl holds them.</summary>
    public IReadOnlyList<ProblemOutcome> Outcomes(int iteration) =>
        Methods.Concat(Budgeted).SelectMany(m => m.Outcomes.Select(o =>
            new ProblemOutcome(iteration, m.Name, o.ProblemId, o.Correct, Seed, o.GeneratedTokens, o.ValueEvaluations, o.Samples))).ToList();

    /// <summary>Accuracy against generated tokens and each search's verdict at equal tokens, as the run summary shows them.</summary>
    public ComputeComparison? EqualCompute() => ComputeComparison.Of(Outcomes(0), 0);

    /// <summary>The p-value of <paramref name="method"/> against System 1, null for System 1 itself.</summary>
    public double? PValueAgainstSystemOne(string method) => Paired.FirstOrDefault(p => p.A == method)?.PValue;

    /// <summary>
    /// One JSON line: {"task", "split", "n", "seed", "methods": [{"name", "accuracy", "ci_low", "ci_high",
    /// "mean_generated_tokens", "mean_policy_tokens", "mean_value_calls", "mean_nodes", "seconds"}], "paired": [{"a", "b", "p_value"}],
    /// "equal_compute": {"samples", "points": [{"name", "series", "generated_tokens", "accuracy", "ci_low", "ci_high", "oracle"}],
    /// "verdicts": [{"method", "generated_tokens", "accuracy", "vs_system1", "vs_majority", "vs_best", "samples_needed"}]}}.
    /// mean_value_calls counts states the value model scored per problem, mean_nodes the search tree's nodes per problem,
    /// seconds the method's wall time over all problems; best-of-n methods add "value_auc" (see
    /// <see cref="MethodEvaluation.ValueAuc"/>) when their candidates include both correct and wrong answers. A verdict's
    /// comparisons are {"name", "k", "generated_tokens", "accuracy", "difference", "p_value"} (k and name for the matched
    /// maj@k and best-of-k), null when not made; samples_needed says how many samples a match would take when the
    /// sampling run was too small. Methods that ask the value model add "value": {"finished_states", "finished_solvable",
    /// "finished_auc", "partial_states", "partial_solvable", "partial_auc", "by_depth": [{"depth", "states", "solvable",
    /// "auc"}]} (see <see cref="ValueRanking"/>; an AUC is null when its states are all of one class).
    /// </summary>
    public string ToJsonLine(ComputeComparison? compute = null)
    {
        compute ??= EqualCompute();
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("task", Task);
            json.WriteString("split", Split);
            json.WriteNumber("n", N);
            json.WriteNumber("seed", Seed);
            json.WriteStartArray("methods");
            foreach (var m in Methods)
            {
                json.WriteStartObject();
                json.WriteString("name", m.Name);
                json.WriteNumber("accuracy", m.Accuracy.Estimate);
                json.WriteNumber("ci_low", m.Accuracy.Low);
                json.WriteNumber("ci_high", m.Accuracy.High);
                json.WriteNumber("mean_generated_tokens", m.MeanGeneratedTokens);
                json.WriteNumber("mean_policy_tokens", m.MeanPolicyTokens);
                json.WriteNumber("mean_value_calls", m.MeanValueEvaluations);
                json.WriteNumber("mean_nodes", m.MeanNodes);
                json.WriteNumber("seconds", m.Seconds);
                if (m.ValueAuc is { } auc) json.WriteNumber("value_auc", auc);
                if (m.Value is { } value)
                {
                    json.WritePropertyName("value");
                    value.ToJson().WriteTo(json);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("paired");
            foreach (var p in Paired)
            {
                json.WriteStartObject();
                json.WriteString("a", p.A);
                json.WriteString("b", p.B);
                json.WriteNumber("p_value", p.PValue);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteCompute(json, compute);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteCompute(Utf8JsonWriter json, ComputeComparison? compute)
    {
        json.WritePropertyName("equal_compute");
        if (compute is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        if (compute.Samples is { } samples) json.WriteNumber("samples", samples);
        else json.WriteNull("samples");
        json.WriteStartArray("points");
        foreach (var point in compute.Points)
        {
            json.WriteStartObject();
            json.WriteString("name", point.Label);
            json.WriteString("series", point.Series);
            json.WriteNumber("generated_tokens", point.GeneratedTokensPerProblem);
            WriteAccuracy(json, point.Scores.Accuracy);
            json.WriteBoolean("oracle", point.Oracle);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("verdicts");
        foreach (var verdict in compute.Verdicts)
        {
            json.WriteStartObject();
            json.WriteString("method", verdict.Search.Label);
            json.WriteNumber("generated_tokens", verdict.Search.GeneratedTokensPerProblem);
            json.WriteNumber("accuracy", verdict.Search.Scores.Accuracy.Estimate);
            WriteTest(json, "vs_system1", null, verdict.VersusSystemOne);
            WriteTest(json, "vs_majority", verdict.VersusMajority, verdict.VersusMajority?.Test);
            WriteTest(json, "vs_best", verdict.VersusBest, verdict.VersusBest?.Test);
            if (verdict.SamplesNeeded is { } needed) json.WriteNumber("samples_needed", needed);
            else json.WriteNull("samples_needed");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAccuracy(Utf8JsonWriter json, Interval accuracy)
    {
        json.WriteNumber("accuracy", accuracy.Estimate);
        json.WriteNumber("ci_low", accuracy.Low);
        json.WriteNumber("ci_high", accuracy.High);
    }

    private static void WriteTest(Utf8JsonWriter json, string name, MatchedBudget? matched, PairedTest? test)
    {
        json.WritePropertyName(name);
        if (test is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        if (matched is not null)
        {
            json.WriteString("name", matched.Label);
            json.WriteNumber("k", matched.K);
            json.WriteNumber("generated_tokens", matched.GeneratedTokensPerProblem);
            json.WriteNumber("accuracy", matched.Accuracy.Estimate);
        }
        json.WriteNumber("difference", test.MeanDifference);
        json.WriteNumber("p_value", test.PValue);
        json.WriteEndObject();
    }

    /// <summary>
    /// Appends one evaluation row per method (totals over the N problems), and every per-problem outcome, the budgeted
    /// searches' included (they have no metrics rows: a run's summary shows them in its equal-compute section).
    /// </summary>
    public void Write(int iteration, MetricsWriter metrics, OutcomesWriter outcomes)
    {
        foreach (var m in Methods)
        {
            metrics.Append(MetricsRow.Evaluation(iteration, m.Name, m.Correct, m.N, m.MeanReward,
                m.Outcomes.Sum(o => o.GeneratedTokens), m.Outcomes.Sum(o => o.PolicyTokens), m.Outcomes.Sum(o => o.ValueEvaluations), m.Seconds));
        }
        foreach (var outcome in Outcomes(iteration)) outcomes.Append(outcome);
    }
}
