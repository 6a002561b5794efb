namespace Reasoner.Experiments.Metrics;

/// <summary>
/// One problem's result under one method in one iteration's evaluation, for one search seed: what the paired tests,
/// the intervals over problems and the equal-compute curves are built from.
/// </summary>
/// <param name="Correct">The verifier's verdict on the method's chosen answer (top-1).</param>
/// <param name="Seed">The evaluation seed the problem was searched with (evaluation.seeds); null in rows written before
/// seeds were recorded, whose problem ids carried a "#seedN" suffix instead.</param>
/// <param name="GeneratedTokens">Tokens the search generated on this problem.</param>
/// <param name="ValueCalls">States the value model scored on this problem.</param>
/// <param name="Samples">For the sampling run of the equal-compute curves only: every sample's answer, verdict and value.</param>
public sealed record ProblemOutcome(
    int Iteration,
    string Method,
    string ProblemId,
    bool Correct,
    int? Seed = null,
    long? GeneratedTokens = null,
    long? ValueCalls = null,
    SampledAnswers? Samples = null)
{
    private const string LegacySeedSuffix = "#seed";

    /// <summary>
    /// The row with its seed in <see cref="Seed"/>: rows written before seeds were recorded named the problem
    /// "id#seedN" when several seeds were evaluated.
    /// </summary>
    internal ProblemOutcome WithSeedField()
    {
        int at = ProblemId.LastIndexOf(LegacySeedSuffix, StringComparison.Ordinal);
        return Seed is null && at > 0 && int.TryParse(ProblemId.AsSpan(at + LegacySeedSuffix.Length), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out int seed)
            ? this with { ProblemId = ProblemId[..at], Seed = seed }
            : this;
    }
}

/// <summary>
/// The n samples a sampling run drew for one problem, in draw order: maj@k, best-of-k and pass@k for any k up to n are
/// computed from them (see <see cref="Evaluation.SampleSubsets"/>), so no k needs a run of its own.
/// </summary>
/// <param name="Answers">Each sample's final answer as a small id (equal answers, equal ids; ids in order of first
/// appearance); -1 for a sample without an answer line.</param>
/// <param name="Correct">Each sample's verdict.</param>
/// <param name="Values">Each sample's value-model score, null where it was not scored (it did not finish).</param>
public sealed record SampledAnswers(IReadOnlyList<int> Answers, IReadOnlyList<bool> Correct, IReadOnlyList<double?> Values)
{
    public const int NoAnswer = -1;

    [System.Text.Json.Serialization.JsonIgnore]
    public int Count => Answers.Count;

    /// <summary>Samples as the search returned them: parsed answer (null: none), verdict, value (NaN: not scored).</summary>
    public static SampledAnswers Of(IEnumerable<(string? Answer, bool Correct, double Value)> samples)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new List<int>();
        var correct = new List<bool>();
        var values = new List<double?>();
        foreach (var (answer, isCorrect, value) in samples)
        {
            answers.Add(answer is null ? NoAnswer : ids.TryGetValue(answer, out int id) ? id : ids[answer] = ids.Count);
            correct.Add(isCorrect);
            values.Add(double.IsNaN(value) ? null : value);
        }
        return new SampledAnswers(answers, correct, values);
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when the lists disagree in length or an id is out of range.</summary>
    internal void Check(string where)
    {
        if (Correct.Count != Count || Values.Count != Count)
        {
            throw new InvalidDataException($"{where}: samples have {Count} answers, {Correct.Count} verdicts and {Values.Count} values");
        }
        if (Answers.Any(a => a < NoAnswer || a >= Count))
        {
            throw new InvalidDataException($"{where}: answer ids must lie in [-1, {Count - 1}]");
        }
    }
}
