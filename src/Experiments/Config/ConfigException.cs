namespace Reasoner.Experiments.Config;

/// <summary>
/// A config that cannot be bound: names where (the file and line, or the <c>--set</c> override), which key
/// (its full path, e.g. <c>search.mcts.simulations</c>) and what is wrong, in one line a person can act on.
/// Derives from <see cref="FormatException"/> so the CLI reports it as bad input (exit code 2).
/// </summary>
public sealed class ConfigException : FormatException
{
    public ConfigException(string origin, int? line, string keyPath, string problem, Exception? inner = null)
        : base(Format(origin, line, keyPath, problem), inner)
    {
        Origin = origin;
        Line = line;
        KeyPath = keyPath;
        Problem = problem;
    }

    /// <summary>The file, or the override as typed (<c>--set a.b=1</c>).</summary>
    public string Origin { get; }

    /// <summary>1-based line in <see cref="Origin"/>; null for overrides, which have no lines.</summary>
    public int? Line { get; }

    /// <summary>Dotted key path from the root, e.g. <c>evaluation.methods[1]</c>; empty for the document itself.</summary>
    public string KeyPath { get; }

    public string Problem { get; }

    private static string Format(string origin, int? line, string keyPath, string problem)
    {
        string where = line is { } l ? $"{origin}, line {l}" : origin;
        return keyPath.Length == 0 ? $"{where}: {problem}" : $"{where}, key '{keyPath}': {problem}";
    }
}
