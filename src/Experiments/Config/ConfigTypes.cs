using System.Collections;
using System.Reflection;

namespace Reasoner.Experiments.Config;

/// <summary>The shapes of config types the binder and writer understand, found by reflection once per type.</summary>
internal static class ConfigTypes
{
    public enum Kind { Scalar, Enum, List, Map, Record }

    public static Kind KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return Kind.Enum;
        }
        if (type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
            || type == typeof(double) || type == typeof(float))
        {
            return Kind.Scalar;
        }
        if (MapValueType(type) is not null)
        {
            return Kind.Map;
        }
        if (ListElementType(type) is not null)
        {
            return Kind.List;
        }
        if (type.IsClass && !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return Kind.Record;
        }
        throw new NotSupportedException($"config type {type} is not supported: use scalars, enums, records, lists or string-keyed maps");
    }

    /// <summary>T for T[], List&lt;T&gt;, IReadOnlyList&lt;T&gt;, IList&lt;T&gt;, IReadOnlyCollection&lt;T&gt; and IEnumerable&lt;T&gt;.</summary>
    public static Type? ListElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
            || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    /// <summary>T for Dictionary / IDictionary / IReadOnlyDictionary with string keys.</summary>
    public static Type? MapValueType(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        return (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            && arguments[0] == typeof(string)
            ? arguments[1]
            : null;
    }

    /// <summary>
    /// A record's fields are the parameters of its widest public constructor (the primary constructor of a positional
    /// record); each is read back through the property of the same name.
    /// </summary>
    public static ConstructorInfo PrimaryConstructor(Type type) =>
        type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
        ?? throw new NotSupportedException($"config record {type} has no public constructor");

    public static PropertyInfo Property(Type type, ParameterInfo parameter) =>
        type.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new NotSupportedException($"config record {type} has no property for constructor parameter {parameter.Name}");
}
