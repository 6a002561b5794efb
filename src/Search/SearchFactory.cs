using System.Globalization;
using System.Reflection;
using Reasoner.Search.Mcts;

namespace Reasoner.Search;

/// <summary>
/// Builds a search from its name and options, for the CLI and the evaluator: one of
/// greedy | sample | best-of-n | beam | tot-bfs | tot-dfs | mcts, with options bound by name to the method's config
/// record (e.g. "simulations" =&gt; "128", "c-puct" =&gt; "1.5"). Names ignore case and dashes; an unknown method
/// or option, or a bad value, throws <see cref="FormatException"/> naming it.
/// </summary>
public static class SearchFactory
{
    public static IReadOnlyList<string> Methods { get; } = ["greedy", "sample", "best-of-n", "beam", "tot-bfs", "tot-dfs", "mcts"];

    public static ISearch Create(string method, IReadOnlyDictionary<string, string>? options = null)
    {
        options ??= new Dictionary<string, string>();
        return method.ToLowerInvariant() switch
        {
            "greedy" => NoOptions(method, options, new GreedySearch()),
            "sample" => new SamplingSearch(Bind<SampleConfig>(method, options)),
            "best-of-n" => new BestOfNSearch(Bind<BestOfNConfig>(method, options)),
            "beam" => new BeamSearch(Bind<BeamConfig>(method, options)),
            "tot-bfs" => new TotBfsSearch(Bind<TotBfsConfig>(method, options)),
            "tot-dfs" => new TotDfsSearch(Bind<TotDfsConfig>(method, options)),
            "mcts" => new MctsSearch(Bind<MctsConfig>(method, options)),
            _ => throw new FormatException($"Unknown search method '{method}'; expected one of {string.Join(", ", Methods)}."),
        };
    }

    public static ISearch Create(SampleConfig config) => new SamplingSearch(config);
    public static ISearch BestOfN(BestOfNConfig config) => new BestOfNSearch(config);
    public static ISearch Create(BeamConfig config) => new BeamSearch(config);
    public static ISearch Create(TotBfsConfig config) => new TotBfsSearch(config);
    public static ISearch Create(TotDfsConfig config) => new TotDfsSearch(config);
    public static ISearch Create(MctsConfig config) => new MctsSearch(config);
    public static ISearch Greedy() => new GreedySearch();

    static ISearch NoOptions(string method, IReadOnlyDictionary<string, string> options, ISearch search) =>
        options.Count == 0 ? search : throw new FormatException($"Search method '{method}' takes no options (got '{options.Keys.First()}').");

    /// <summary>Calls the record's primary constructor, each parameter from its option or its default.</summary>
    internal static T Bind<T>(string method, IReadOnlyDictionary<string, string> options)
    {
        var constructor = typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        var byName = parameters.ToDictionary(p => Normalise(p.Name!), p => p);
        var arguments = parameters.Select(p => p.DefaultValue).ToArray();
        foreach (var (key, text) in options)
        {
            if (!byName.TryGetValue(Normalise(key), out var parameter))
                throw new FormatException($"Unknown option '{key}' for search '{method}'; expected one of {string.Join(", ", parameters.Select(p => Kebab(p.Name!)))}.");
            arguments[parameter.Position] = Parse(method, key, text, parameter);
        }
        return (T)constructor.Invoke(arguments);
    }

    static object Parse(string method, string key, string text, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        var culture = CultureInfo.InvariantCulture;
        object? parsed = type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, culture, out var i) ? i : null,
            _ when type == typeof(float) => float.TryParse(text, NumberStyles.Float, culture, out var f) && float.IsFinite(f) ? f : null,
            _ when type == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ when type.IsEnum => Enum.TryParse(type, text.Replace("-", ""), ignoreCase: true, out var e) && Enum.IsDefined(type, e!) ? e : null,
            _ => throw new InvalidOperationException($"Option type {type.Name} of {parameter.Name} has no parser."),
        };
        return parsed ?? throw new FormatException($"Option '{key}' of search '{method}' must be a {(type.IsEnum ? string.Join("|", Enum.GetNames(type).Select(n => n.ToLowerInvariant())) : type.Name.ToLowerInvariant())}, not '{text}'.");
    }

    static string Normalise(string name) => name.Replace("-", "").Replace("_", "").ToLowerInvariant();

    static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
