using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reasoner.Experiments.Metrics;

/// <summary>
/// JSON-lines files of records: snake_case fields, kebab-case enums, nulls left out. Each line is written and flushed
/// whole, so a run that crashes keeps every row it finished.
/// </summary>
internal static class JsonLines
{
    // Read-only once built: options are process-wide, and nobody may change how another caller's rows are written.
    public static readonly JsonSerializerOptions Options = ReadOnly(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    });

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T row) => JsonSerializer.Serialize(row, Options);

    /// <summary>Every row of <paramref name="path"/>; blank lines are skipped, a malformed line names the file and line.</summary>
    public static List<T> Read<T>(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"file not found: {path}", path);
        }
        var rows = new List<T>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(line, Options) ?? throw new JsonException("null instead of a row"));
            }
            catch (JsonException error)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: not a valid {typeof(T).Name}: {error.Message}", error);
            }
        }
        return rows;
    }
}
