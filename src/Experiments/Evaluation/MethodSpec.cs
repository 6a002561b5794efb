using System.Collections.ObjectModel;
using System.Globalization;
using Reasoner.Experiments.Config;
using Reasoner.Experiments.Reports;
using Reasoner.Search;

namespace Reasoner.Experiments.Evaluation;

/// <summary>
/// A search method to evaluate: a <see cref="SearchFactory"/> name and its options. Written on the command line as
/// <c>mcts</c> or <c>mcts[simulations=32;c-puct=2]</c>.
/// </summary>
public sealed record MethodSpec(string Method, IReadOnlyDictionary<string, string> Options)
{
    public static MethodSpec SystemOne { get; } = new("greedy", ReadOnlyDictionary<string, string>.Empty);

    /// <summary>The name results give it instead of the one <see cref="Label"/> builds: a run's evaluation names its
    /// methods after the config (<c>mcts</c>), so <c>eval --run</c> does too.</summary>
    public string? Name { get; init; }

    /// <summary>How results name it: greedy is <see cref="MethodResult.Baseline"/> (System 1), others carry their options.</summary>
    public string Label =>
        Method == "greedy" ? MethodResult.Baseline
        : Name is not null ? Name
        : Options.Count == 0 ? Method
        : $"{Method}[{string.Join(";", Options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"))}]";

    public bool IsSystemOne => Method == "greedy";

    public ISearch Create() => SearchFactory.Create(Method, Options);

    /// <summary>The samples a <c>sample</c> spec draws (its k for pass@k and maj@k).</summary>
    internal int Samples => IntOption("samples", new SampleConfig().Samples);

    /// <summary>
    /// The option that sets a tree search's size, which equal-compute scaling multiplies: beam width, ToT-BFS breadth,
    /// ToT-DFS proposals per state, MCTS simulations; with its value here. Null for methods without one: greedy has no
    /// size, and the sizes of sample and best-of-n are covered by subsets of one sampling run.
    /// </summary>
    internal (string Option, int Size)? SizeOption => Method switch
    {
        "beam" => ("width", IntOption("width", new Reasoner.Search.BeamConfig().Width)),
        "tot-bfs" => ("breadth", IntOption("breadth", new TotBfsConfig().Breadth)),
        "tot-dfs" => ("proposals", IntOption("proposals", new TotDfsConfig().Proposals)),
        "mcts" => ("simulations", IntOption("simulations", new Reasoner.Search.Mcts.MctsConfig().Simulations)),
        _ => null,
    };

    /// <summary>
    /// This search at <paramref name="scale"/> times its size (rounded, at least 1), everything else alike; null when
    /// the method has no size or the scaled size is its own.
    /// </summary>
    public MethodSpec? Scaled(double scale)
    {
        if (!(scale > 0)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "a scale must be positive");
        if (SizeOption is not var (option, size)) return null;
        int scaled = Math.Max(1, (int)Math.Round(size * scale, MidpointRounding.AwayFromZero));
        if (scaled == size) return null;
        var options = Options.Where(o => Normalise(o.Key) != option).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        options[option] = scaled.ToString(CultureInfo.InvariantCulture);
        // Another size is another search: it does not keep the name given to this one.
        return Checked(this with { Options = options, Name = null });
    }

    /// <summary>The value of an integer option however it is spelled (simulations, Simulations), or its default.</summary>
    private int IntOption(string name, int fallback) =>
        Options.FirstOrDefault(o => Normalise(o.Key) == name) is { Value: { } text }
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : fallback;

    private static string Normalise(string key) => key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>
    /// The spec of an experiment's method, with the experiment's settings, for evaluation: MCTS without root noise and
    /// taking the most visited step (noise and visit temperature belong to self-improvement).
    /// </summary>
    public static MethodSpec ForEvaluation(SearchMethod method, SearchConfig config)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
        var (name, options) = method switch
        {
            SearchMethod.System1 => ("greedy", new Dictionary<string, string>()),
            SearchMethod.SelfConsistency => ("sample", new() { ["samples"] = I(config.Samples), ["temperature"] = F(config.Temperature) }),
            SearchMethod.BestOfN => ("best-of-n", new() { ["samples"] = I(config.Samples), ["temperature"] = F(config.Temperature), ["vote"] = config.Vote ? "true" : "false" }),
            SearchMethod.Beam => ("beam", new() { ["width"] = I(config.Beam.Width), ["expansions"] = I(config.Beam.ExpansionsPerNode), ["temperature"] = F(config.Temperature) }),
            SearchMethod.TotBfs => ("tot-bfs", new() { ["breadth"] = I(config.Tot.Breadth), ["proposals"] = I(config.Tot.ProposalsPerState), ["temperature"] = F(config.Temperature) }),
            SearchMethod.TotDfs => ("tot-dfs", new() { ["proposals"] = I(config.Tot.ProposalsPerState), ["prune-threshold"] = F(config.Tot.PruneBelow), ["temperature"] = F(config.Temperature) }),
            SearchMethod.Mcts => ("mcts", new Dictionary<string, string>
            {
                ["simulations"] = I(config.Mcts.Simulations),
                ["proposal-temperature"] = F(config.Temperature),
                ["c-puct"] = F(config.Mcts.CPuct),
                ["normalize-q"] = config.Mcts.NormalizeQ ? "true" : "false",
                ["dirichlet-fraction"] = "0",
                ["move-temperature"] = "0",
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "no search for this method"),
        };
        return Checked(new MethodSpec(name, options));
    }

    /// <summary>Parses <c>name</c> or <c>name[key=value;...]</c>; the method and its options are checked by building it.</summary>
    public static MethodSpec Parse(string text)
    {
        text = text.Trim();
        var open = text.IndexOf('[', StringComparison.Ordinal);
        var name = (open < 0 ? text : text[..open]).Trim().ToLowerInvariant();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (open >= 0)
        {
            if (!text.EndsWith(']')) throw new FormatException($"Method '{text}': options go in brackets, e.g. mcts[simulations=32;c-puct=2].");
            foreach (var pair in text[(open + 1)..^1].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                AddOption(options, pair, text);
        }
        return Checked(new MethodSpec(name, options));
    }

    /// <summary>A method with options given as <c>key=value</c> strings (the CLI's repeated --option).</summary>
    public static MethodSpec Of(string method, IEnumerable<string> options)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in options) AddOption(parsed, pair, method);
        return Checked(new MethodSpec(method.Trim().ToLowerInvariant(), parsed));
    }

    /// <summary>Splits a comma-separated list of specs, commas inside brackets belonging to the spec.</summary>
    public static IReadOnlyList<MethodSpec> ParseList(string text)
    {
        var specs = new List<MethodSpec>();
        int depth = 0, start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] == '[') depth++;
            else if (i < text.Length && text[i] == ']') depth--;
            else if (i == text.Length || (text[i] == ',' && depth == 0))
            {
                var part = text[start..i];
                if (part.Trim().Length > 0) specs.Add(Parse(part));
                start = i + 1;
            }
        }
        return specs;
    }

    static void AddOption(Dictionary<string, string> options, string pair, string context)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw new FormatException($"Option '{pair}' of '{context}' is not key=value.");
        options[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
    }

    static MethodSpec Checked(MethodSpec spec)
    {
        spec.Create();
        return spec;
    }
}
