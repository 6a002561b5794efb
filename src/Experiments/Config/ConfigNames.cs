using System.Text;

namespace Reasoner.Experiments.Config;

/// <summary>How C# names appear in YAML: snake_case keys (<c>DModel</c> -> <c>d_model</c>) and kebab-case enum values.</summary>
internal static class ConfigNames
{
    public static string Key(string memberName) => Split(memberName, '_');

    public static string EnumValue(string memberName) => Split(memberName, '-');

    /// <summary>Enum values match ignoring case, hyphens and underscores: <c>expert-iteration</c>, <c>ExpertIteration</c>, <c>expert_iteration</c>.</summary>
    public static string Normalize(string text) => text.Replace("-", "").Replace("_", "").ToLowerInvariant();

    /// <summary>A separator before each word: at a lower-to-upper step, and before the last capital of an acronym (<c>CPuct</c> -> <c>c_puct</c>).</summary>
    private static string Split(string name, char separator)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char current = name[i];
            if (i > 0 && char.IsUpper(current))
            {
                char previous = name[i - 1];
                bool nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    builder.Append(separator);
                }
            }
            builder.Append(char.ToLowerInvariant(current));
        }
        return builder.ToString();
    }
}
