using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reasoner.Rewards.Sudoku;

/// <summary>A Sudoku puzzle: <paramref name="Grid"/> is Size*Size characters row-major, digits or '.' for a blank.</summary>
public sealed record SudokuProblem(string Id, int Size, string Grid) : Problem(Id)
{
    internal int[] Cells() => Grid.Select(c => c == '.' ? 0 : c - '0').ToArray();

    internal static SudokuProblem Create(int size, int[] cells) =>
        new($"sudoku{size}-{new string(cells.Select(d => d == 0 ? '.' : (char)('0' + d)).ToArray())}", size,
            new string(cells.Select(d => d == 0 ? '.' : (char)('0' + d)).ToArray()));
}

/// <summary>Difficulty of Sudoku puzzles: 4x4 or 9x9, and how many cells are blank (every puzzle has one solution).</summary>
/// <param name="Blanks">Null: 8 for 4x4, 40 for 9x9. Random removal rarely keeps a unique solution past 12 or 58.</param>
public sealed record SudokuOptions(int Size = 4, int? Blanks = null)
{
    public int BlankCells => Blanks ?? (Size == 4 ? 8 : 40);

    public void Validate()
    {
        if (Size is not (4 or 9))
        {
            throw new ArgumentException($"sudoku option size = {Size} must be 4 or 9");
        }
        var most = Size == 4 ? 12 : 58;
        if (BlankCells < 1 || BlankCells > most)
        {
            throw new ArgumentException($"sudoku option blanks = {BlankCells} is out of range (1 to {most} for {Size}x{Size})");
        }
    }
}

/// <summary>
/// Sudoku, 4x4 and 9x9, unique solution. Prompt: the rows joined by '/', '.' for a blank (<c>1.3./..../2..4/.1..</c>);
/// a step fills one cell, <c>r3c4=2</c> (1-based row and column); the answer line is the full grid,
/// <c>Answer: 1234/3412/2143/4321</c>.
/// </summary>
public sealed partial class SudokuTask : ITask
{
    internal const string AlphabetChars = "\n ./123456789:=Acenrsw";

    private readonly SudokuOptions _options;
    // The state oracle's memo: each puzzle's unique solution (null: several), solved once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]?> _solutions = new(StringComparer.Ordinal);

    public SudokuTask(SudokuOptions? options = null)
    {
        _options = options ?? new SudokuOptions();
        _options.Validate();
    }

    public string Name => "sudoku";

    public string Alphabet => AlphabetChars;

    public IReadOnlyList<Problem> Generate(Split split, int count, int seed)
    {
        var random = new Random(seed);
        return SplitAssignment.Collect(split, count, () => Draw(random), p => p.Grid);
    }

    /// <summary>A random full grid, then blanks in random order while the solution stays unique; null if it stalls short.</summary>
    private SudokuProblem? Draw(Random random)
    {
        var size = _options.Size;
        var cells = SudokuSolver.RandomFullGrid(size, random);
        var order = Enumerable.Range(0, cells.Length).ToArray();
        random.Shuffle(order);
        var blanks = 0;
        foreach (var cell in order)
        {
            if (blanks == _options.BlankCells)
            {
                break;
            }
            var digit = cells[cell];
            cells[cell] = 0;
            if (SudokuSolver.Solve(size, cells, limit: 2) == 1)
            {
                blanks++;
            }
            else
            {
                cells[cell] = digit;
            }
        }
        return blanks == _options.BlankCells ? SudokuProblem.Create(size, cells) : null;
    }

    public string Prompt(Problem problem)
    {
        var p = As(problem);
        return Rows(p.Grid, p.Size) + "\n";
    }

    private static string Rows(string grid, int size) => string.Join('/', Enumerable.Range(0, size).Select(r => grid.Substring(r * size, size)));

    public IReadOnlyList<string> Solve(Problem problem)
    {
        var p = As(problem);
        var cells = p.Cells();
        var fills = new List<(int Cell, int Digit)>();
        if (SudokuSolver.Solve(p.Size, cells, limit: 1, fills) == 0)
        {
            throw new ArgumentException($"problem {p.Id} has no solution");
        }
        var lines = fills.Select(f => $"r{f.Cell / p.Size + 1}c{f.Cell % p.Size + 1}={f.Digit}").ToList();
        foreach (var (cell, digit) in fills)
        {
            cells[cell] = digit;
        }
        lines.Add($"{CompletionLines.AnswerPrefix} {Rows(string.Concat(cells), p.Size)}");
        return lines;
    }

    public int MaxSteps(Problem problem) => As(problem).Grid.Count(c => c == '.') + 1;

    public bool IsAnswerLine(string line) => CompletionLines.IsAnswerLine(line);

    public ParsedCompletion Parse(string completion)
    {
        var lines = CompletionLines.Split(completion);
        return new ParsedCompletion(lines.Steps, lines.AnswerLine is null
            ? null
            : string.Concat(lines.AnswerLine.Trim()[CompletionLines.AnswerPrefix.Length..].Where(c => !char.IsWhiteSpace(c))));
    }

    // NonBacktracking: linear matching time on any line.
    [GeneratedRegex("^r *([1-9]) *c *([1-9]) *= *([1-9])$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex StepPattern();

    /// <summary>
    /// A fill is valid when its cell is blank, the digit breaks no rule with the grid so far, and the puzzle stays
    /// solvable. Correct: every fill valid, the fills either absent or complete, and the answer grid is the solution,
    /// keeps the givens and agrees with the fills.
    /// </summary>
    public Verdict Verify(Problem problem, string completion, RewardConfig rewards)
    {
        var p = As(problem);
        var lines = CompletionLines.Split(completion);
        var maxSteps = MaxSteps(p);
        var cells = p.Cells();
        var solution = UniqueSolution(p.Size, cells);
        var stepValid = new List<bool>(lines.Steps.Count + 1);
        var formatOk = !lines.TextAfterAnswer;
        var reason = lines.TextAfterAnswer ? "text after the answer line" : null;
        for (var index = 0; index < lines.Steps.Count; index++)
        {
            var line = lines.Steps[index];
            var match = line.Length <= CompletionLines.MaxLineLength ? StepPattern().Match(line) : Match.Empty;
            if (!match.Success)
            {
                formatOk = false;
                reason ??= $"step {index + 1} is malformed";
                stepValid.Add(false);
                continue;
            }
            int row = match.Groups[1].Value[0] - '1', column = match.Groups[2].Value[0] - '1', digit = match.Groups[3].Value[0] - '0';
            var problemWithFill = CheckFill(p.Size, cells, solution, row, column, digit);
            stepValid.Add(problemWithFill is null);
            if (problemWithFill is not null)
            {
                reason ??= $"step {index + 1}: {problemWithFill}";
            }
            else
            {
                cells[row * p.Size + column] = digit;
            }
        }
        if (lines.AnswerLine is null)
        {
            return RewardFunction.Judge(false, false, stepValid, maxSteps, rewards, reason ?? "no answer line");
        }
        var answer = ParseGrid(CompletionLines.AnswerBody(lines.AnswerLine), p.Size);
        formatOk &= answer is not null;
        var answerProblem = answer is null ? "answer line is malformed" : CheckAnswer(p, cells, answer, lines.Steps.Count > 0);
        stepValid.Add(answerProblem is null);
        reason ??= answerProblem;
        return RewardFunction.Judge(reason is null, formatOk, stepValid, maxSteps, rewards, reason);
    }

    /// <summary>
    /// A finished state is solvable when it verifies; an unfinished one when every fill is valid (its cell blank, no rule
    /// broken, the puzzle still solvable: <see cref="CheckFill"/>), since the valid fills then extend to a solution.
    /// </summary>
    public bool IsSolvable(Problem problem, IReadOnlyList<string> steps)
    {
        var p = As(problem);
        var completion = string.Join('\n', steps);
        var lines = CompletionLines.Split(completion);
        if (lines.AnswerLine is not null) return Verify(p, completion, new RewardConfig()).Correct;
        var cells = p.Cells();
        var solution = _solutions.GetOrAdd(p.Grid, _ => UniqueSolution(p.Size, p.Cells()));
        foreach (var line in lines.Steps)
        {
            var match = line.Length <= CompletionLines.MaxLineLength ? StepPattern().Match(line) : Match.Empty;
            if (!match.Success) return false;
            int row = match.Groups[1].Value[0] - '1', column = match.Groups[2].Value[0] - '1', digit = match.Groups[3].Value[0] - '0';
            if (CheckFill(p.Size, cells, solution, row, column, digit) is not null) return false;
            cells[row * p.Size + column] = digit;
        }
        return true;
    }

    /// <summary>
    /// For a fill <c>rRcC=D</c>: another digit in the same cell (usually one that breaks a rule or the solution), the same
    /// digit in a cell already filled; an answer line gets one digit of its grid changed.
    /// </summary>
    public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random)
    {
        var p = As(problem);
        if (CompletionLines.IsAnswerLine(step)) return NearMiss.Of(step, [(CompletionLines.AnswerPrefix.Length, step.Length)], random);
        var match = step.Length <= CompletionLines.MaxLineLength ? StepPattern().Match(step) : Match.Empty;
        if (!match.Success) return [];
        int row = match.Groups[1].Value[0] - '0', column = match.Groups[2].Value[0] - '0', digit = match.Groups[3].Value[0] - '0';
        var misses = new List<string>();
        var other = 1 + (digit + random.Next(p.Size - 1)) % p.Size;
        misses.Add($"r{row}c{column}={other}");
        var filled = Enumerable.Range(0, p.Grid.Length).Where(cell => p.Grid[cell] != '.').ToList();
        if (filled.Count > 0)
        {
            var cell = filled[random.Next(filled.Count)];
            misses.Add($"r{cell / p.Size + 1}c{cell % p.Size + 1}={digit}");
        }
        return misses.Where(m => m != step).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The solution when there is exactly one (every generated puzzle): a fill is then checked against it with no
    /// search. Null for a puzzle given with several solutions, whose fills are checked by solving again.
    /// </summary>
    private static int[]? UniqueSolution(int size, int[] cells)
    {
        var fills = new List<(int Cell, int Digit)>();
        if (SudokuSolver.Solve(size, cells, limit: 2, fills) != 1)
        {
            return null;
        }
        var solution = (int[])cells.Clone();
        foreach (var (cell, digit) in fills)
        {
            solution[cell] = digit;
        }
        return solution;
    }

    private static string? CheckFill(int size, int[] cells, int[]? solution, int row, int column, int digit)
    {
        if (row >= size || column >= size || digit > size)
        {
            return $"r{row + 1}c{column + 1}={digit} is outside the {size}x{size} grid";
        }
        var cell = row * size + column;
        if (cells[cell] != 0)
        {
            return $"r{row + 1}c{column + 1} is already filled";
        }
        if (!SudokuSolver.IsAllowed(size, cells, cell, digit))
        {
            return $"{digit} repeats in the row, column or box of r{row + 1}c{column + 1}";
        }
        bool solvable;
        if (solution is not null)
        {
            solvable = solution[cell] == digit;
        }
        else
        {
            cells[cell] = digit;
            solvable = SudokuSolver.Solve(size, cells, limit: 1) > 0;
            cells[cell] = 0;
        }
        return solvable ? null : $"r{row + 1}c{column + 1}={digit} leaves no solution";
    }

    private static string? CheckAnswer(SudokuProblem problem, int[] filled, int[] answer, bool hasSteps)
    {
        var givens = problem.Cells();
        for (var cell = 0; cell < answer.Length; cell++)
        {
            if (givens[cell] != 0 && answer[cell] != givens[cell])
            {
                return "answer changes a given digit";
            }
            if (filled[cell] != 0 && answer[cell] != filled[cell])
            {
                return "answer differs from the steps";
            }
        }
        if (hasSteps && filled.Contains(0))
        {
            return "the steps stop before the grid is full";
        }
        foreach (var unit in SudokuSolver.Units(problem.Size))
        {
            if (unit.Select(cell => answer[cell]).Distinct().Count() != problem.Size)
            {
                return "answer repeats a digit in a row, column or box";
            }
        }
        return null;
    }

    /// <summary>Rows of digits 1..size separated by '/', e.g. <c>1234/3412/2143/4321</c>; null when malformed.</summary>
    private static int[]? ParseGrid(string? text, int size)
    {
        if (text is null)
        {
            return null;
        }
        var rows = text.Split('/');
        if (rows.Length != size || rows.Any(row => row.Length != size || row.Any(c => c < '1' || c > '0' + size)))
        {
            return null;
        }
        return string.Concat(rows).Select(c => c - '0').ToArray();
    }

    public JsonObject ToJson(Problem problem)
    {
        var p = As(problem);
        return new JsonObject { ["size"] = p.Size, ["grid"] = p.Grid };
    }

    public Problem FromJson(JsonObject json)
    {
        var size = json["size"] is JsonValue sizeValue && sizeValue.TryGetValue<int>(out var s) && s is 4 or 9
            ? s
            : throw new FormatException("problem field \"size\" must be 4 or 9");
        var grid = json["grid"] is JsonValue gridValue && gridValue.TryGetValue<string>(out var g) && g.Length == size * size
            && g.All(c => c == '.' || (c >= '1' && c <= '0' + size))
            ? g
            : throw new FormatException($"problem field \"grid\" must be {size * size} characters, digits 1-{size} or '.'");
        var cells = grid.Select(c => c == '.' ? 0 : c - '0').ToArray();
        for (var cell = 0; cell < cells.Length; cell++)
        {
            var digit = cells[cell];
            cells[cell] = 0;
            if (digit != 0 && !SudokuSolver.IsAllowed(size, cells, cell, digit))
            {
                throw new FormatException($"problem field \"grid\" repeats {digit} in the row, column or box of cell {cell}");
            }
            cells[cell] = digit;
        }
        return SudokuProblem.Create(size, cells);
    }

    private static SudokuProblem As(Problem problem) => problem as SudokuProblem
        ?? throw new ArgumentException($"problem {problem.Id} is not a Sudoku problem");
}
