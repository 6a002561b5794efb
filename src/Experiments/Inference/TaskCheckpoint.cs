using System.Text.Json;
using System.Text.Json.Serialization;
using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// The task a checkpoint was trained on, in its safetensors metadata: <c>task</c> (the name) and <c>task_options</c>
/// (a JSON object of every difficulty option the task uses, by its CLI name: <c>{"numbers":3,"min-number":1,...}</c>,
/// see <see cref="TaskCatalog.Resolve"/>). <c>eval</c>, <c>solve</c> and <c>train value</c> rebuild that task from it.
/// Checkpoints written before the task was recorded have neither key.
/// </summary>
public static class TaskCheckpoint
{
    public const string TaskKey = "task";
    public const string OptionsKey = "task_options";

    // Option names as the CLI spells them; an unknown one in a file is an error rather than a silently default option.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Saves the model and tokenizer with <paramref name="task"/> (its options resolved) in the metadata.</summary>
    public static void Save(string path, Gpt model, Tokenizer tokenizer, TaskSpec task) => Checkpoint.Save(path, model, tokenizer, Metadata(task));

    /// <summary>The metadata entries that record <paramref name="task"/>.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(TaskSpec task)
    {
        var resolved = task.Resolved();
        return new Dictionary<string, string>
        {
            [TaskKey] = resolved.Name,
            [OptionsKey] = JsonSerializer.Serialize(resolved.Options, Json),
        };
    }

    /// <summary>
    /// The task recorded in a checkpoint's metadata, or null when it records none (written before checkpoints did).
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="path"/> and the key when the record is broken.
    /// </summary>
    public static TaskSpec? ReadTask(string path, IReadOnlyDictionary<string, string> metadata)
    {
        bool hasName = metadata.TryGetValue(TaskKey, out var name), hasOptions = metadata.TryGetValue(OptionsKey, out var optionsText);
        if (!hasName && !hasOptions) return null;
        if (!hasName || !hasOptions)
            throw new InvalidDataException($"{path}: metadata has '{(hasName ? TaskKey : OptionsKey)}' but not '{(hasName ? OptionsKey : TaskKey)}'");
        TaskOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TaskOptions>(optionsText!, Json) ?? throw new JsonException("null instead of an object");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: metadata '{OptionsKey}' is not the task's options ({error.Message})", error);
        }
        try
        {
            return new TaskSpec(name!, options).Resolved();
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: metadata '{TaskKey}' {name} {options}: {error.Message}", error);
        }
    }

    /// <summary>Loads a checkpoint with the task it records (null: none).</summary>
    public static (LoadedCheckpoint Checkpoint, TaskSpec? Task) Load(string path)
    {
        var loaded = Checkpoint.Load(path);
        return (loaded, ReadTask(path, loaded.Metadata));
    }
}
