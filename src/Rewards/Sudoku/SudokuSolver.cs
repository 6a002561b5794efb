using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Numerics;

namespace Reasoner.Rewards.Sudoku;

/// <summary>
/// Constraint propagation (naked and hidden singles) with backtracking on the cell of fewest candidates.
/// A grid is Size*Size cells, row-major, 0 for blank; candidates are bit masks (bit d for digit d).
/// </summary>
internal static class SudokuSolver
{
    /// <summary>Rows and columns of a box: 2x2 for 4x4, 3x3 for 9x9.</summary>
    public static int BoxSide(int size) => size == 4 ? 2 : 3;

    /// <summary>
    /// Solves <paramref name="cells"/>, counting solutions up to <paramref name="limit"/>. <paramref name="fills"/>, when
    /// given, receives the (cell, digit) fills of the first solution in the order the solver made them.
    /// </summary>
    public static int Solve(int size, int[] cells, int limit, List<(int Cell, int Digit)>? fills = null)
    {
        var found = 0;
        Search(size, (int[])cells.Clone(), [], limit, ref found, fills);
        return found;
    }

    public static bool IsAllowed(int size, int[] cells, int cell, int digit) => (Candidates(size, cells, cell) & (1 << digit)) != 0;

    private static void Search(int size, int[] cells, List<(int, int)> order, int limit, ref int found, List<(int Cell, int Digit)>? fills)
    {
        if (!Propagate(size, cells, order, out var branchCell))
        {
            return;
        }
        if (branchCell < 0)
        {
            if (found++ == 0 && fills is not null)
            {
                fills.AddRange(order);
            }
            return;
        }
        var mask = Candidates(size, cells, branchCell);
        while (mask != 0 && found < limit)
        {
            var digit = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            var nextCells = (int[])cells.Clone();
            nextCells[branchCell] = digit;
            var nextOrder = new List<(int, int)>(order) { (branchCell, digit) };
            Search(size, nextCells, nextOrder, limit, ref found, fills);
        }
    }

    /// <summary>
    /// Fills forced cells until none is left; false on a contradiction. <paramref name="branchCell"/> is the blank with
    /// fewest candidates, or -1 when the grid is full.
    /// </summary>
    private static bool Propagate(int size, int[] cells, List<(int, int)> order, out int branchCell)
    {
        while (true)
        {
            branchCell = -1;
            var fewest = int.MaxValue;
            var progress = false;
            for (var cell = 0; cell < cells.Length; cell++)
            {
                if (cells[cell] != 0)
                {
                    continue;
                }
                var mask = Candidates(size, cells, cell);
                var count = BitOperations.PopCount((uint)mask);
                if (count == 0)
                {
                    return false;
                }
                if (count == 1)
                {
                    cells[cell] = BitOperations.TrailingZeroCount(mask);
                    order.Add((cell, cells[cell]));
                    progress = true;
                }
                else if (count < fewest)
                {
                    (fewest, branchCell) = (count, cell);
                }
            }
            if (!progress && !FillHiddenSingle(size, cells, order, ref progress))
            {
                return false;
            }
            if (!progress)
            {
                return true;
            }
        }
    }

    /// <summary>Fills the first digit that has one place left in some row, column or box; false when a digit has none.</summary>
    private static bool FillHiddenSingle(int size, int[] cells, List<(int, int)> order, ref bool progress)
    {
        Span<int> masks = stackalloc int[cells.Length];
        for (var cell = 0; cell < cells.Length; cell++)
        {
            masks[cell] = cells[cell] == 0 ? Candidates(size, cells, cell) : 0;
        }
        foreach (var unit in Units(size))
        {
            for (var digit = 1; digit <= size; digit++)
            {
                var place = -1;
                var places = 0;
                var present = false;
                foreach (var cell in unit)
                {
                    if (cells[cell] == digit)
                    {
                        present = true;
                        break;
                    }
                    if ((masks[cell] & (1 << digit)) != 0)
                    {
                        (place, places) = (cell, places + 1);
                    }
                }
                if (present)
                {
                    continue;
                }
                if (places == 0)
                {
                    return false;
                }
                if (places == 1)
                {
                    cells[place] = digit;
                    order.Add((place, digit));
                    progress = true;
                    return true;
                }
            }
        }
        return true;
    }

    /// <summary>Digits not yet used in the cell's row, column and box, as a mask of bits 1..size.</summary>
    public static int Candidates(int size, int[] cells, int cell)
    {
        var used = 0;
        int row = cell / size, column = cell % size, side = BoxSide(size);
        int boxRow = row / side * side, boxColumn = column / side * side;
        for (var k = 0; k < size; k++)
        {
            used |= 1 << cells[row * size + k];
            used |= 1 << cells[k * size + column];
            used |= 1 << cells[(boxRow + k / side) * size + boxColumn + k % side];
        }
        return ~used & (((1 << size) - 1) << 1);
    }

    // Built once and only read: immutable, so no caller can change what another sees.
    private static readonly FrozenDictionary<int, ImmutableArray<ImmutableArray<int>>> UnitsBySize = new Dictionary<int, ImmutableArray<ImmutableArray<int>>>
    {
        [4] = BuildUnits(4),
        [9] = BuildUnits(9),
    }.ToFrozenDictionary();

    /// <summary>Every row, column and box as its cell indices.</summary>
    public static ImmutableArray<ImmutableArray<int>> Units(int size) => UnitsBySize[size];

    private static ImmutableArray<ImmutableArray<int>> BuildUnits(int size)
    {
        var side = BoxSide(size);
        var units = ImmutableArray.CreateBuilder<ImmutableArray<int>>(3 * size);
        for (var i = 0; i < size; i++)
        {
            units.Add([.. Enumerable.Range(0, size).Select(k => i * size + k)]);
            units.Add([.. Enumerable.Range(0, size).Select(k => k * size + i)]);
            units.Add([.. Enumerable.Range(0, size).Select(k => (i / side * side + k / side) * size + i % side * side + k % side)]);
        }
        return units.MoveToImmutable();
    }

    /// <summary>A random full grid: backtracking over cells in order with digits tried in a random order.</summary>
    public static int[] RandomFullGrid(int size, Random random)
    {
        var cells = new int[size * size];
        Fill(size, cells, 0, random);
        return cells;
    }

    private static bool Fill(int size, int[] cells, int cell, Random random)
    {
        if (cell == cells.Length)
        {
            return true;
        }
        var digits = Enumerable.Range(1, size).ToArray();
        random.Shuffle(digits);
        foreach (var digit in digits)
        {
            if (IsAllowed(size, cells, cell, digit))
            {
                cells[cell] = digit;
                if (Fill(size, cells, cell + 1, random))
                {
                    return true;
                }
            }
        }
        cells[cell] = 0;
        return false;
    }
}
