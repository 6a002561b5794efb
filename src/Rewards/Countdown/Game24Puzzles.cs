using System.Globalization;

namespace Reasoner.Rewards.Countdown;

/// <summary>
/// The 1,362 Game-of-24 puzzles of Tree of Thoughts (Data/game24/24.csv, MIT; see the README beside it), embedded in
/// the assembly. The test split is ranks 901-1000, the set ToT reports on; the train split is every other rank.
/// </summary>
internal static class Game24Puzzles
{
    public const int Target = 24;
    public const int FirstTestRank = 901;
    public const int LastTestRank = 1000;

    /// <summary>A puzzle; its numbers are read-only, since every problem made from it shares them.</summary>
    public sealed record Puzzle(int Rank, IReadOnlyList<int> Numbers);

    /// <summary>Read once: the data is immutable and every task instance shares it.</summary>
    public static IReadOnlyList<Puzzle> All => LazyAll.Value;

    // Loaded on first use, then only read (a Lazy is thread-safe): no caller can change what another sees.

    private static readonly Lazy<IReadOnlyList<Puzzle>> LazyAll = new(Load);

    private static readonly Lazy<HashSet<string>> LazyTestKeys = new(() =>
        All.Where(IsTest).Select(p => Key(p.Numbers)).ToHashSet(StringComparer.Ordinal));

    public static bool IsTest(Puzzle puzzle) => puzzle.Rank is >= FirstTestRank and <= LastTestRank;

    /// <summary>True when these numbers and target are a held-out Game-of-24 test puzzle (any order of the numbers).</summary>
    public static bool IsTestPuzzle(IReadOnlyList<int> numbers, int target) =>
        target == Target && numbers.Count == 4 && LazyTestKeys.Value.Contains(Key(numbers));

    private static string Key(IEnumerable<int> numbers) => string.Join(' ', numbers.Order());

    private static IReadOnlyList<Puzzle> Load()
    {
        using var stream = typeof(Game24Puzzles).Assembly.GetManifestResourceStream("Reasoner.Rewards.game24.csv")
            ?? throw new InvalidDataException("embedded resource Reasoner.Rewards.game24.csv is missing");
        using var reader = new StreamReader(stream);
        var puzzles = new List<Puzzle>();
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var fields = line.Split(',');
            IReadOnlyList<int> numbers = [.. fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(n => int.Parse(n, CultureInfo.InvariantCulture)).Order()];
            puzzles.Add(new Puzzle(int.Parse(fields[0], CultureInfo.InvariantCulture), numbers));
        }
        return puzzles.AsReadOnly();
    }
}
