using Reasoner.Tensors.Kernels;
using static Reasoner.Tensors.Tests.GradCheck;

namespace Reasoner.Tensors.Tests.Kernels;

public class AttentionTests
{
    [Theory]
    [InlineData(6, 1, 1)]
    [InlineData(6, 2, 2)]
    [InlineData(24, 2, 2)] // head size 12: less than one register tile wide
    [InlineData(32, 2, 1)] // head size 16
    public void Forward_matches_the_reference_and_backward_matches_finite_differences(int c, int heads, int threads)
    {
        const int batch = 2, time = 4;
        var random = new Random(heads);
        var (qkv, g) = (RandomFloats(random, batch * time * 3 * c, 1.5), RandomFloats(random, batch * time * c));
        using var pool = new WorkerPool(threads);
        var (y, att) = (new float[batch * time * c], new float[batch * heads * time * time]);
        Attention.Forward(pool, y, att, qkv, batch, time, c, heads);
        AssertClose(Reference.Attention(ToDouble(qkv), batch, time, c, heads), y, 1e-5, 1e-6, "output");
        for (int row = 0; row < batch * heads * time; row++)
        {
            int t = row % time;
            Assert.Equal(1.0, att.Skip(row * time).Take(t + 1).Sum(p => (double)p), 1e-5);
            Assert.All(att.Skip(row * time + t + 1).Take(time - t - 1), p => Assert.Equal(0f, p)); // causal: no future keys
        }

        var (dqkv, dAtt) = (new float[qkv.Length], new float[att.Length]);
        Attention.Backward(pool, dqkv, dAtt, g, qkv, att, batch, time, c, heads);
        AssertClose(Numeric(x => Project(Reference.Attention(x, batch, time, c, heads), g), qkv), dqkv, 1e-3, 1e-5, "dqkv");
    }

    public static TheoryData<int, bool> Setups => new() { { 1, true }, { 2, true }, { 1, false }, { 2, false } };

    [Theory]
    [MemberData(nameof(Setups))]
    public void Every_length_from_1_to_70_matches_the_naive_forward_and_backward(int threads, bool wide)
    {
        // Lengths cross the 6- and 8-row strips and the 16- and 32-key panels; head sizes 1..40 cross the panels of the
        // value and gradient products. Backward adds to what dqkv held, and must not depend on what dAtt held.
        using var pool = new WorkerPool(threads);
        for (int time = 1; time <= 70; time++)
        {
            int heads = 1 + time % 3, headSize = 1 + time * 7 % 40, c = heads * headSize, batch = 1 + time % 2;
            var random = new Random(time);
            var (qkv, dOut, start) = (RandomFloats(random, batch * time * 3 * c, 2), RandomFloats(random, batch * time * c), RandomFloats(random, batch * time * 3 * c));
            var (y, att) = (new float[batch * time * c], Enumerable.Repeat(float.NaN, batch * heads * time * time).ToArray());
            string shape = $"T={time} H={heads} hs={headSize} B={batch} wide={wide} threads={threads}";
            Attention.Forward(pool, y, att, qkv, batch, time, c, heads, wide);
            AssertClose(Reference.Attention(ToDouble(qkv), batch, time, c, heads), y, 1e-5, 1e-5, "output " + shape);
            for (int row = 0; row < batch * heads * time; row++)
                Assert.All(att.Skip(row * time + row % time + 1).Take(time - row % time - 1), p => Assert.Equal(0f, p));

            var dqkv = (float[])start.Clone();
            var dAtt = Enumerable.Repeat(float.NaN, att.Length).ToArray();
            Attention.Backward(pool, dqkv, dAtt, dOut, qkv, att, batch, time, c, heads, wide);
            var expected = Reference.AttentionBackward(ToDouble(qkv), ToDouble(dOut), batch, time, c, heads);
            for (int i = 0; i < expected.Length; i++) expected[i] += start[i];
            AssertClose(expected, dqkv, 1e-4, 1e-5, "dqkv " + shape);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cached_attention_at_every_head_size_1_to_70_and_position_matches_the_naive_row(bool wide)
    {
        // Head sizes cross the 8- and 32-channel blocks of the output and the 8-wide dot products; positions cross the
        // 4-key blocks of the scores. Rows of several slots at different positions, in one call.
        using var pool = new WorkerPool(2);
        for (int hs = 1; hs <= 70; hs++)
        {
            int heads = 1 + hs % 2, c = heads * hs, context = 11, slots = 3, rows = 5;
            var random = new Random(hs);
            var (keys, values) = (RandomFloats(random, slots * context * c, 2), RandomFloats(random, slots * context * c));
            var qkv = RandomFloats(random, rows * 3 * c, 2);
            int[] rowSlots = [2, 0, 1, 2, 0], positions = [0, 3, 10, 7, 5];
            var output = new float[rows * c];
            Attention.ForwardCached(pool, output, qkv, keys, values, rowSlots, positions, rows, context, c, heads, writeRows: false, wide);
            var expected = new double[rows * c];
            for (int n = 0; n < rows; n++)
                for (int h = 0; h < heads; h++)
                {
                    var scores = new double[positions[n] + 1];
                    for (int t = 0; t <= positions[n]; t++)
                        for (int i = 0; i < hs; i++)
                            scores[t] += (double)qkv[n * 3 * c + h * hs + i] * keys[((rowSlots[n] * heads + h) * context + t) * hs + i] / Math.Sqrt(hs);
                    var p = Reference.Softmax(scores);
                    for (int t = 0; t <= positions[n]; t++)
                        for (int i = 0; i < hs; i++)
                            expected[n * c + h * hs + i] += p[t] * values[((rowSlots[n] * heads + h) * context + t) * hs + i];
                }
            AssertClose(expected, output, 1e-5, 1e-5, $"hs={hs} wide={wide}");
        }
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    public void Rows_that_write_their_keys_leave_the_cache_and_output_of_writing_them_first(bool wide, int threads)
    {
        // A decode step's rows (distinct slots at different positions) write their own key and value as they attend:
        // the cache must then hold what separate writes leave, and every row attend to its new key, bit for bit.
        const int hs = 32, heads = 3, c = hs * heads, context = 9, slots = 6, rows = 5;
        var random = new Random(11);
        var (keys, values) = (RandomFloats(random, slots * context * c), RandomFloats(random, slots * context * c));
        var qkv = RandomFloats(random, rows * 3 * c, 2);
        int[] rowSlots = [4, 0, 5, 2, 1], positions = [0, 8, 3, 6, 1];
        var (expectedKeys, expectedValues) = ((float[])keys.Clone(), (float[])values.Clone());
        for (int n = 0; n < rows; n++)
            for (int h = 0; h < heads; h++)
            {
                int at = ((rowSlots[n] * heads + h) * context + positions[n]) * hs;
                Array.Copy(qkv, n * 3 * c + c + h * hs, expectedKeys, at, hs);
                Array.Copy(qkv, n * 3 * c + 2 * c + h * hs, expectedValues, at, hs);
            }
        using var pool = new WorkerPool(threads);
        var expected = new float[rows * c];
        Attention.ForwardCached(pool, expected, qkv, expectedKeys, expectedValues, rowSlots, positions, rows, context, c, heads, writeRows: false, wide);
        var output = new float[rows * c];
        Attention.ForwardCached(pool, output, qkv, keys, values, rowSlots, positions, rows, context, c, heads, writeRows: true, wide);
        Assert.Equal(expectedKeys, keys);
        Assert.Equal(expectedValues, values);
        Assert.Equal(expected, output);

        var error = Assert.Throws<ArgumentException>(() => Attention.ForwardCached(pool, output, qkv, keys, values, [4, 0, 5, 0, 1], positions,
            rows, context, c, heads, writeRows: true, wide));
        Assert.Contains("slot 0 has two", error.Message);
    }

    [Fact]
    public void Cached_attention_refuses_a_row_outside_the_cache()
    {
        using var pool = new WorkerPool(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Attention.ForwardCached(pool, new float[4], new float[12], new float[2 * 3 * 4],
            new float[2 * 3 * 4], [2], [0], 1, 3, 4, 1));
        Assert.Contains("slot 2", error.Message);
    }

    [Fact]
    public void Cached_attention_of_each_row_equals_full_causal_attention()
    {
        // Rows of one sequence stored in cache slot 1 (of 2) must attend exactly as the full forward does.
        const int time = 5, c = 8, heads = 2, context = 6, slots = 2;
        var random = new Random(7);
        var qkv = RandomFloats(random, time * 3 * c);
        using var pool = new WorkerPool(2);
        var (full, att) = (new float[time * c], new float[heads * time * time]);
        Attention.Forward(pool, full, att, qkv, 1, time, c, heads);
        var (keys, values) = (new float[slots * context * c], new float[slots * context * c]);
        const int hs = c / heads;
        for (int t = 0; t < time; t++)
            for (int h = 0; h < heads; h++)
            {
                Array.Copy(qkv, t * 3 * c + c + h * hs, keys, ((heads + h) * context + t) * hs, hs); // slot 1, (S,H,ctx,hs)
                Array.Copy(qkv, t * 3 * c + 2 * c + h * hs, values, ((heads + h) * context + t) * hs, hs);
            }
        var cached = new float[time * c];
        Attention.ForwardCached(pool, cached, qkv, keys, values, Enumerable.Repeat(1, time).ToArray(), Enumerable.Range(0, time).ToArray(),
            time, context, c, heads);
        AssertClose(ToDouble(full), cached, 1e-6, 1e-7, "cached output");
    }
}
