using System.Text;
using System.Text.Json;
using Reasoner.Experiments.Metrics;

namespace Reasoner.Experiments.Evaluation;

/// <summary>Every evaluated method on the same problems and seed, and each method's paired test against System 1.</summary>
public sealed record EvaluationReport(string Task, string Split, int N, int Seed, IReadOnlyList<MethodEvaluation> Methods, IReadOnlyList<PairedComparison> Paired)
{
    /// <summary>The p-value of <paramref name="method"/> against System 1, null for System 1 itself.</summary>
    public double? PValueAgainstSystemOne(string method) => Paired.FirstOrDefault(p => p.A == method)?.PValue;

    /// <summary>
    /// One JSON line: {"task", "split", "n", "seed", "methods": [{"name", "accuracy", "ci_low", "ci_high",
    /// "mean_generated_tokens", "mean_policy_tokens", "mean_value_calls", "seconds"}], "paired": [{"a", "b", "p_value"}]}.
    /// mean_value_calls counts states the value model scored per problem. Methods that ask the value model add
    /// "value": {"finished_states", "finished_solvable", "finished_auc", "partial_states", "partial_solvable",
    /// "partial_auc", "by_depth": [{"depth", "states", "solvable", "auc"}]} (see <see cref="ValueRanking"/>; an AUC is
    /// null when its states are all of one class), and "value_auc", the finished AUC, when it is defined.
    /// </summary>
    public string ToJsonLine()
    {
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
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Appends one evaluation row per method (totals over the N problems) and every per-problem outcome.</summary>
    public void Write(int iteration, MetricsWriter metrics, OutcomesWriter outcomes)
    {
        foreach (var m in Methods)
        {
            metrics.Append(MetricsRow.Evaluation(iteration, m.Name, m.Correct, m.N, m.MeanReward,
                m.Outcomes.Sum(o => o.GeneratedTokens), m.Outcomes.Sum(o => o.PolicyTokens), m.Outcomes.Sum(o => o.ValueEvaluations), m.Seconds));
            foreach (var o in m.Outcomes) outcomes.Append(new ProblemOutcome(iteration, m.Name, o.ProblemId, o.Correct));
        }
    }
}
