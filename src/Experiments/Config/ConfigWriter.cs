using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Reasoner.Experiments.Config;

/// <summary>
/// Writes a config record tree back as YAML with every field, defaults included, so a run directory records exactly
/// what ran and <see cref="ConfigBinder"/> reads it back to an equal config.
/// </summary>
public static class ConfigWriter
{
    public static string ToYaml(object config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var writer = new StringWriter { NewLine = "\n" };
        new YamlStream(new YamlDocument(ToNode(config, config.GetType()))).Save(writer, assignAnchors: false);
        // The stream ends each document with an explicit "..." marker, which a single-document file does not need.
        string text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    public static void Save(object config, string path) => File.WriteAllText(path, ToYaml(config));

    /// <summary>Writes <paramref name="value"/> as its declared <paramref name="type"/>: a list may be any runtime collection.</summary>
    private static YamlNode ToNode(object? value, Type type)
    {
        if (value is null)
        {
            return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
        }
        switch (ConfigTypes.KindOf(type))
        {
            case ConfigTypes.Kind.Scalar:
                return Scalar(value);
            case ConfigTypes.Kind.Enum:
                return new YamlScalarNode(ConfigNames.EnumValue(value.ToString()!)) { Style = ScalarStyle.Plain };
            case ConfigTypes.Kind.Map:
                var map = new YamlMappingNode();
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    map.Add(new YamlScalarNode((string)entry.Key), ToNode(entry.Value, ConfigTypes.MapValueType(type)!));
                }
                return map;
            case ConfigTypes.Kind.List:
                var elementType = ConfigTypes.ListElementType(type)!;
                var items = ((IEnumerable)value).Cast<object?>().Select(item => ToNode(item, elementType)).ToList();
                // Short lists of values read best on one line: `methods: [system1, mcts]`.
                var style = items.All(i => i is YamlScalarNode) ? SequenceStyle.Flow : SequenceStyle.Block;
                return new YamlSequenceNode(items) { Style = style };
            default:
                var record = new YamlMappingNode();
                foreach (var parameter in ConfigTypes.PrimaryConstructor(type).GetParameters())
                {
                    var property = ConfigTypes.Property(type, parameter);
                    record.Add(new YamlScalarNode(ConfigNames.Key(parameter.Name!)), ToNode(property.GetValue(value), parameter.ParameterType));
                }
                return record;
        }
    }

    private static YamlScalarNode Scalar(object value) => value switch
    {
        string text => new YamlScalarNode(text)
        {
            // Text that would read back as null must be quoted; everything else the emitter quotes as YAML needs.
            Style = text is "" or "~" or "null" or "Null" or "NULL" ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
        },
        bool flag => Plain(flag ? "true" : "false"),
        double real => Plain(Real(real)),
        float real => Plain(Real(real)),
        _ => Plain(Convert.ToString(value, CultureInfo.InvariantCulture)!),
    };

    private static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };

    /// <summary>Shortest text that parses back to the same double ("R" semantics), in YAML's spelling of the specials.</summary>
    private static string Real(double value) => value switch
    {
        double.PositiveInfinity => ".inf",
        double.NegativeInfinity => "-.inf",
        double.NaN => ".nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
