namespace Reasoner.Rewards.Countdown;

/// <summary>
/// Generates Countdown problems: numbers and target drawn uniformly, kept when the expert solves them within a budget of
/// expanded states, assigned to a split by the hash of their canonical key, without duplicates. Every seed gives the
/// problems it always gave; what changed is the cost. Drawing until enough distinct problems turn up ran the solver on
/// every draw, duplicates included, and near the size of the space ran millions of them before it could say the space
/// was too small (3.5 minutes for 30,000 problems of 4 numbers 1-13 and targets 12-36, of which 27,248 exist).
/// <list type="bullet">
/// <item>A space of at most <see cref="EnumerationLimit"/> multisets of up to four numbers, asked for at least a
/// twentieth of its candidates, is enumerated first: one search per multiset finds every target it reaches, so the
/// exact number of distinct problems of the split is known at once, a request beyond it fails at once, and the draws
/// only look their candidates up.</item>
/// <item>Otherwise the space is sampled, each distinct candidate solved once, the cheap checks (split, duplicate) first.</item>
/// </list>
/// </summary>
internal sealed class CountdownGenerator
{
    /// <summary>Multisets enumerated at most: 4 numbers from 1-32 (52,360 multisets) take about a second.</summary>
    internal const int EnumerationLimit = 60_000;

    /// <summary>Below five numbers the solver expands at most 1 + 30 + 450 states, so a budget of at least this many never
    /// binds and "solvable within the budget" is exactly "reachable".</summary>
    private const long StatesOfFourNumbers = 481;

    private readonly CountdownOptions _options;
    private readonly string _idPrefix;
    private readonly long _budget;

    public CountdownGenerator(CountdownOptions options, string idPrefix, long budget)
    {
        _options = options;
        _idPrefix = idPrefix;
        _budget = budget;
    }

    /// <summary>A candidate as drawn: its numbers sorted, packed 20 bits each (values up to 10^6 &lt; 2^20), and its target.</summary>
    private readonly record struct Candidate(Int128 Numbers, int Target);

    /// <summary>How many multisets the options allow (saturating at long.MaxValue): C(range + n - 1, n).</summary>
    internal long Multisets()
    {
        long range = (long)_options.MaxNumber - _options.MinNumber + 1;
        double count = 1;
        for (int i = 1; i <= _options.Numbers; i++) count = count * (range + i - 1) / i;
        return count >= long.MaxValue ? long.MaxValue : (long)Math.Round(count);
    }

    internal bool Enumerable => _options.Numbers <= 4 && _budget >= StatesOfFourNumbers && Multisets() <= EnumerationLimit;

    /// <summary>Enumerate when the space allows it and the request is at least 1/20 of the candidates; a smaller request
    /// samples faster than the space enumerates, and rarely draws a candidate twice.</summary>
    private bool Enumerates(int count) =>
        Enumerable && count * 20.0 >= (double)Multisets() * (_options.MaxTarget - _options.MinTarget + 1);

    public List<Problem> Generate(Split split, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var numbers = new int[_options.Numbers];
        var problems = new List<Problem>(count);
        if (Enumerates(count))
        {
            var valid = ValidCandidates(split);
            if (count > valid.Count)
            {
                throw new ArgumentException($"countdown has {valid.Count} distinct {split} problems with {_options.Numbers} numbers from " +
                    $"{_options.MinNumber} to {_options.MaxNumber} and targets {_options.MinTarget} to {_options.MaxTarget}; {count} were asked for");
            }
            // Every valid candidate has a positive chance per draw, so the loop ends; a request for all of them draws
            // until the rarest (all numbers equal) turns up, a few million cheap draws at most.
            var taken = new HashSet<Candidate>();
            while (problems.Count < count)
            {
                var candidate = Draw(random, numbers);
                if (valid.Contains(candidate) && taken.Add(candidate)) problems.Add(CountdownProblem.Create(_idPrefix, numbers, candidate.Target));
            }
            return problems;
        }
        var tried = new HashSet<Candidate>();
        var attemptsLeft = 2000L + 200L * count; // a request larger than the space ends in an error, not an endless loop
        while (problems.Count < count)
        {
            if (attemptsLeft-- == 0)
            {
                throw new ArgumentException($"could only find {problems.Count} distinct {split} problems of {count} requested with these difficulty options");
            }
            var candidate = Draw(random, numbers);
            if (!tried.Add(candidate)) continue; // taken already, or rejected already: either way not again
            var problem = CountdownProblem.Create(_idPrefix, numbers, candidate.Target);
            if (SplitAssignment.Of(problem.CanonicalKey) != split || Excluded(split, problem.Numbers, candidate.Target)
                || CountdownSolver.Solve(numbers, candidate.Target, _budget) is null)
            {
                continue;
            }
            problems.Add(problem);
        }
        return problems;
    }

    /// <summary>Draws the numbers then the target, in the order CountdownTask always drew them, and sorts the numbers.</summary>
    private Candidate Draw(Random random, int[] numbers)
    {
        for (var i = 0; i < numbers.Length; i++) numbers[i] = random.Next(_options.MinNumber, _options.MaxNumber + 1);
        var target = random.Next(_options.MinTarget, _options.MaxTarget + 1);
        Array.Sort(numbers);
        return new Candidate(Pack(numbers), target);
    }

    private static Int128 Pack(ReadOnlySpan<int> sorted)
    {
        Int128 packed = 0;
        foreach (var n in sorted) packed = (packed << 20) | n;
        return packed;
    }

    /// <summary>Game-of-24 test puzzles never enter the train split.</summary>
    private static bool Excluded(Split split, IReadOnlyList<int> numbers, int target) => split == Split.Train && Game24Puzzles.IsTestPuzzle(numbers, target);

    /// <summary>How many distinct problems of the split the options allow (an enumerable space only).</summary>
    internal int CountDistinct(Split split) => ValidCandidates(split).Count;

    /// <summary>Every (multiset, target) the expert solves, of this split and not excluded: one reachability search per multiset.</summary>
    private HashSet<Candidate> ValidCandidates(Split split)
    {
        var valid = new HashSet<Candidate>();
        int targets = _options.MaxTarget - _options.MinTarget + 1;
        var reached = new bool[targets];
        var multiset = new int[_options.Numbers];
        for (var i = 0; i < multiset.Length; i++) multiset[i] = _options.MinNumber;
        while (true)
        {
            Array.Clear(reached);
            CountdownSolver.ReachTargets(multiset, _options.MinTarget, reached);
            for (var t = 0; t < targets; t++)
            {
                if (!reached[t]) continue;
                var target = _options.MinTarget + t;
                var key = $"{string.Join(' ', multiset)}->{target}"; // CountdownProblem.CanonicalKey of the sorted numbers
                if (SplitAssignment.Of(key) == split && !Excluded(split, multiset, target)) valid.Add(new Candidate(Pack(multiset), target));
            }
            if (!NextMultiset(multiset)) return valid;
        }
    }

    /// <summary>The next non-decreasing sequence in lexicographic order; false after the last.</summary>
    private bool NextMultiset(int[] multiset)
    {
        var i = multiset.Length - 1;
        while (i >= 0 && multiset[i] == _options.MaxNumber) i--;
        if (i < 0) return false;
        multiset[i]++;
        for (var j = i + 1; j < multiset.Length; j++) multiset[j] = multiset[i];
        return true;
    }
}
