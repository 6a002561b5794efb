using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoner.Experiments.Config;

/// <summary>
/// Binds a YAML document to a tree of config records, strictly: an unknown key, a wrong type, a missing required key
/// or a value failing validation is a <see cref="ConfigException"/> naming the file (or override), the key path and
/// the line. Fields are the primary-constructor parameters of each record, spelled in snake_case; a parameter's default
/// value is used when its key is absent, and a parameter without one is required.
/// </summary>
public static class ConfigBinder
{
    /// <summary>Reads and binds a YAML file, after applying <c>key.path=value</c> overrides (as given to <c>--set</c>).</summary>
    public static T LoadFile<T>(string path, IReadOnlyList<string>? overrides = null) where T : class
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"config file not found: {path}", path);
        }
        return Load<T>(File.ReadAllText(path), path, overrides);
    }

    /// <summary>Binds YAML text; <paramref name="origin"/> names it in errors (usually the file path).</summary>
    public static T Load<T>(string yaml, string origin, IReadOnlyList<string>? overrides = null) where T : class
    {
        var binding = new Binding(origin);
        var root = binding.Parse(yaml);
        foreach (var assignment in overrides ?? [])
        {
            binding.ApplyOverride(root, assignment);
        }
        return (T)binding.Bind(typeof(T), root, "", nullable: false)!;
    }

    private sealed class Binding(string origin)
    {
        // Nodes that came from an override, so errors about them name the override rather than a line of the file.
        private readonly Dictionary<YamlNode, string> overrideOf = new(ReferenceEqualityComparer.Instance);
        private readonly NullabilityInfoContext nullability = new();

        public YamlMappingNode Parse(string yaml)
        {
            var stream = new YamlStream();
            var parser = new Parser(new StringReader(yaml));
            try
            {
                stream.Load(parser);
            }
            catch (YamlException error)
            {
                throw new ConfigException(origin, (int)error.Start.Line, "", $"invalid YAML: {InnerMessage(error)}", error);
            }
            catch (InvalidOperationException error)
            {
                // YamlDotNet's scanner fails this way on some unclosed flow collections; the last event parsed is
                // where the document stopped making sense.
                int line = parser.Current is { } last ? (int)last.End.Line : 1;
                throw new ConfigException(origin, line, "", "invalid YAML: unclosed [ ] or { } or a stray character", error);
            }
            if (stream.Documents.Count == 0)
            {
                return new YamlMappingNode();
            }
            if (stream.Documents.Count > 1)
            {
                throw new ConfigException(origin, (int)stream.Documents[1].RootNode.Start.Line, "", "expected one YAML document, found several");
            }
            var root = stream.Documents[0].RootNode;
            return root as YamlMappingNode
                ?? throw new ConfigException(origin, (int)root.Start.Line, "", "expected a mapping of keys to values at the top level");
        }

        /// <summary>Sets <c>a.b.c</c> to a value parsed as YAML, creating sections the file left out.</summary>
        public void ApplyOverride(YamlMappingNode root, string assignment)
        {
            string where = $"--set {assignment}";
            int equals = assignment.IndexOf('=');
            if (equals <= 0)
            {
                throw new ConfigException(where, null, "", "expected key.path=value");
            }
            string keyPath = assignment[..equals].Trim();
            string[] keys = keyPath.Split('.');
            if (keys.Any(k => k.Length == 0))
            {
                throw new ConfigException(where, null, keyPath, "empty key in the key path");
            }
            var value = ParseOverrideValue(assignment[(equals + 1)..], where, keyPath);
            var section = root;
            for (int i = 0; i < keys.Length - 1; i++)
            {
                var key = new YamlScalarNode(keys[i]);
                if (!section.Children.TryGetValue(key, out var child))
                {
                    child = new YamlMappingNode();
                    overrideOf[key] = where;
                    overrideOf[child] = where;
                    section.Children.Add(key, child);
                }
                section = child as YamlMappingNode
                    ?? throw new ConfigException(where, null, string.Join('.', keys[..(i + 1)]), "is a value, not a section with keys");
            }
            var last = new YamlScalarNode(keys[^1]);
            if (!section.Children.ContainsKey(last))
            {
                overrideOf[last] = where;
            }
            section.Children[last] = value;
        }

        private YamlNode ParseOverrideValue(string text, string where, string keyPath)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException error)
            {
                throw new ConfigException(where, null, keyPath, $"invalid YAML value: {InnerMessage(error)}", error);
            }
            // An empty value (`--set a.b=`) is null, as an empty value in the file would be.
            YamlNode value = stream.Documents.Count == 0 ? new YamlScalarNode("") { Style = ScalarStyle.Plain } : stream.Documents[0].RootNode;
            foreach (var node in value.AllNodes)
            {
                overrideOf[node] = where;
            }
            return value;
        }

        public object? Bind(Type type, YamlNode node, string path, bool nullable)
        {
            if (IsNull(node))
            {
                return nullable || Nullable.GetUnderlyingType(type) is not null
                    ? null
                    : throw Error(node, path, "must have a value (null is not allowed here)");
            }
            var target = Nullable.GetUnderlyingType(type) ?? type;
            return ConfigTypes.KindOf(target) switch
            {
                ConfigTypes.Kind.Scalar => BindScalar(target, Expect<YamlScalarNode>(node, path, "a single value"), path),
                ConfigTypes.Kind.Enum => BindEnum(target, Expect<YamlScalarNode>(node, path, "a single value"), path),
                ConfigTypes.Kind.List => BindList(target, Expect<YamlSequenceNode>(node, path, "a list"), path),
                ConfigTypes.Kind.Map => BindMap(target, Expect<YamlMappingNode>(node, path, "a mapping of keys to values"), path),
                _ => BindRecord(target, Expect<YamlMappingNode>(node, path, "a section of keys"), path),
            };
        }

        private object BindRecord(Type type, YamlMappingNode mapping, string path)
        {
            var constructor = ConfigTypes.PrimaryConstructor(type);
            var parameters = constructor.GetParameters();
            var byKey = parameters.ToDictionary(p => ConfigNames.Key(p.Name!));
            var given = new Dictionary<string, (YamlNode Key, YamlNode Value)>();
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                string key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Error(keyNode, path, "keys must be plain names");
                if (!byKey.ContainsKey(key))
                {
                    throw Error(keyNode, Join(path, key), $"unknown key{Suggestion(key, byKey.Keys)}; valid keys here: {string.Join(", ", byKey.Keys)}");
                }
                given[key] = (keyNode, valueNode);
            }
            var arguments = new object?[parameters.Length];
            foreach (var (key, parameter) in byKey)
            {
                int index = parameter.Position;
                string keyPath = Join(path, key);
                if (given.TryGetValue(key, out var entry))
                {
                    bool nullable = nullability.Create(ConfigTypes.Property(type, parameter)).ReadState == NullabilityState.Nullable;
                    arguments[index] = Bind(parameter.ParameterType, entry.Value, keyPath, nullable);
                    foreach (var rule in parameter.GetCustomAttributes<ValidationAttribute>())
                    {
                        if (!rule.IsValid(arguments[index]))
                        {
                            throw Error(entry.Value, keyPath, $"{Show(entry.Value)} is not allowed: {rule.FormatErrorMessage(key)}");
                        }
                    }
                }
                else if (parameter.HasDefaultValue)
                {
                    arguments[index] = parameter.DefaultValue;
                }
                else
                {
                    throw Error(mapping, keyPath, "required key is missing");
                }
            }
            object record;
            try
            {
                record = constructor.Invoke(arguments);
            }
            catch (TargetInvocationException error) when (error.InnerException is ArgumentException invalid)
            {
                throw Error(mapping, path, invalid.Message, invalid);
            }
            if (record is IValidatedConfig validated)
            {
                foreach (var issue in validated.Validate())
                {
                    var at = issue.Key.Length > 0 && given.TryGetValue(issue.Key, out var entry) ? entry.Value : mapping;
                    throw Error(at, issue.Key.Length > 0 ? Join(path, issue.Key) : path, issue.Problem);
                }
            }
            return record;
        }

        private object BindList(Type type, YamlSequenceNode sequence, string path)
        {
            var elementType = ConfigTypes.ListElementType(type)!;
            var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            bool nullableItems = Nullable.GetUnderlyingType(elementType) is not null;
            for (int i = 0; i < sequence.Children.Count; i++)
            {
                items.Add(Bind(elementType, sequence.Children[i], $"{path}[{i}]", nullableItems));
            }
            if (!type.IsArray)
            {
                return items;
            }
            var array = Array.CreateInstance(elementType, items.Count);
            items.CopyTo(array, 0);
            return array;
        }

        private object BindMap(Type type, YamlMappingNode mapping, string path)
        {
            var valueType = ConfigTypes.MapValueType(type)!;
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                string key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Error(keyNode, path, "keys must be plain names");
                map[key] = Bind(valueType, valueNode, Join(path, key), Nullable.GetUnderlyingType(valueType) is not null);
            }
            return map;
        }

        private object BindScalar(Type type, YamlScalarNode scalar, string path)
        {
            string text = scalar.Value ?? "";
            if (type == typeof(string))
            {
                return text;
            }
            // Quoted text is a string in YAML; a number or flag must be written bare, so `"3"` is a type error, not 3.
            bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
            if (type == typeof(bool))
            {
                return plain && bool.TryParse(text, out bool flag) ? flag : throw Error(scalar, path, $"expected true or false, got {Show(scalar)}");
            }
            if (type == typeof(int))
            {
                return plain && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int integer)
                    ? integer
                    : throw Error(scalar, path, $"expected an integer, got {Show(scalar)}");
            }
            if (type == typeof(long))
            {
                return plain && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer)
                    ? integer
                    : throw Error(scalar, path, $"expected an integer, got {Show(scalar)}");
            }
            if (plain && ParseReal(text) is { } real)
            {
                return type == typeof(float) ? (float)real : real;
            }
            throw Error(scalar, path, $"expected a number, got {Show(scalar)}");
        }

        private object BindEnum(Type type, YamlScalarNode scalar, string path)
        {
            string wanted = ConfigNames.Normalize(scalar.Value ?? "");
            foreach (string name in Enum.GetNames(type))
            {
                if (ConfigNames.Normalize(name) == wanted)
                {
                    return Enum.Parse(type, name);
                }
            }
            string allowed = string.Join(" | ", Enum.GetNames(type).Select(ConfigNames.EnumValue));
            throw Error(scalar, path, $"expected one of {allowed}, got {Show(scalar)}");
        }

        private TNode Expect<TNode>(YamlNode node, string path, string what) where TNode : YamlNode =>
            node as TNode ?? throw Error(node, path, $"expected {what}, got {Describe(node)}");

        private ConfigException Error(YamlNode node, string path, string problem, Exception? inner = null) =>
            overrideOf.TryGetValue(node, out var where)
                ? new ConfigException(where, null, path, problem, inner)
                : new ConfigException(origin, (int)node.Start.Line, path, problem, inner);
    }

    /// <summary>YAML's null: an empty or <c>~</c> or <c>null</c> plain scalar.</summary>
    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>Decimal and exponent notation, plus YAML's <c>.inf</c>, <c>-.inf</c> and <c>.nan</c>.</summary>
    internal static double? ParseReal(string text) => text switch
    {
        ".inf" or "+.inf" or ".Inf" or ".INF" => double.PositiveInfinity,
        "-.inf" or "-.Inf" or "-.INF" => double.NegativeInfinity,
        ".nan" or ".NaN" or ".NAN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !double.IsNaN(value) && !double.IsInfinity(value)
            ? value
            : null,
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Show(YamlNode node) => node is YamlScalarNode scalar ? $"'{scalar.Value}'" : Describe(node);

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"the value '{scalar.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a section of keys",
        _ => "an alias",
    };

    private static string InnerMessage(YamlException error) =>
        error.InnerException is YamlException inner ? $"{error.Message} ({inner.Message})" : error.Message;

    /// <summary>" (did you mean 'x'?)" when a valid key is within two edits of a misspelt one.</summary>
    private static string Suggestion(string key, IEnumerable<string> valid)
    {
        var best = valid.Select(v => (Key: v, Distance: EditDistance(key, v))).MinBy(c => c.Distance);
        return best.Key is not null && best.Distance <= 2 ? $" (did you mean '{best.Key}'?)" : "";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
