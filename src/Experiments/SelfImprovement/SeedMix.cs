namespace Reasoner.Experiments.SelfImprovement;

/// <summary>
/// Derives the seed of one search from the run seed and its coordinates (iteration, problem, evaluation seed), the same
/// on every machine and in every process (unlike <see cref="HashCode"/>), so a job's search repeats whichever worker runs it.
/// </summary>
public static class SeedMix
{
    public static int Of(params int[] parts)
    {
        ulong state = 0x9E3779B97F4A7C15UL;
        foreach (int part in parts)
        {
            state ^= (ulong)(uint)part + 0x9E3779B97F4A7C15UL + (state << 6) + (state >> 2);
            state = SplitMix(state);
        }
        return (int)(state & int.MaxValue);
    }

    private static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
