namespace Reasoner.Policy;

/// <summary>
/// Character-level tokenizer over an alphabet string. Ids 0..3 are the special tokens (padding, begin, end, step
/// separator); character i of the alphabet is id 4 + i. A newline is the step separator, so a solution written one
/// step per line tokenizes into steps. Vocab = 4 + alphabet length.
/// </summary>
public sealed class Tokenizer
{
    public const int Padding = 0, Begin = 1, End = 2, StepSeparator = 3, SpecialCount = 4;
    private readonly Dictionary<char, int> _ids = [];

    public Tokenizer(string alphabet)
    {
        for (int i = 0; i < alphabet.Length; i++)
        {
            char c = alphabet[i];
            if (c == '\n') throw new ArgumentException("the alphabet must not contain a newline: it is the step separator token", nameof(alphabet));
            if (!_ids.TryAdd(c, SpecialCount + i)) throw new ArgumentException($"the alphabet repeats '{c}' at position {i}", nameof(alphabet));
        }
        Alphabet = alphabet;
    }

    public string Alphabet { get; }
    public int VocabSize => SpecialCount + Alphabet.Length;

    /// <summary>The ids of <paramref name="text"/>, a newline becoming <see cref="StepSeparator"/>. No begin or end tokens are added.</summary>
    public int[] Encode(string text)
    {
        var ids = new int[text.Length];
        Encode(text, ids);
        return ids;
    }

    /// <summary>Writes the ids of <paramref name="text"/> into <paramref name="ids"/> (at least text.Length long) without allocating.</summary>
    public void Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') ids[i] = StepSeparator;
            else if (_ids.TryGetValue(c, out int id)) ids[i] = id;
            else throw new FormatException($"character '{c}' (U+{(int)c:X4}) at position {i} is not in the tokenizer's alphabet");
        }
    }

    /// <summary>The text of <paramref name="ids"/>: separators become newlines; padding, begin and end are dropped.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new System.Text.StringBuilder(ids.Length);
        foreach (int id in ids)
        {
            if (id == StepSeparator) text.Append('\n');
            else if (id >= SpecialCount && id < VocabSize) text.Append(Alphabet[id - SpecialCount]);
            else if (id < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is outside the vocabulary [0, {VocabSize})");
        }
        return text.ToString();
    }
}
