using Reasoner.Tensors;
using Reasoner.Tensors.Kernels;

namespace Reasoner.Policy;

/// <summary>Why a slot stopped generating.</summary>
public enum FinishReason
{
    /// <summary>Still generating, or never asked to.</summary>
    None,
    /// <summary>It produced one of the stop tokens (kept as the last generated token, and in the cache).</summary>
    StopToken,
    /// <summary>It produced the maximum number of new tokens.</summary>
    MaxTokens,
    /// <summary>Its cache reached ctx tokens: no position is left for another token.</summary>
    ContextFull,
}

/// <summary>
/// Batched decoding with a KV cache. Each slot is a sequence at its own position; <see cref="Extend"/> runs the model on
/// new tokens of any number of slots at once (a prefill is many tokens of one slot, a decode step one token of many),
/// writing their keys and values into the cache and keeping, per slot, the next-token logits and the value after its
/// last token. All buffers are preallocated: after warm-up, a step allocates nothing.
/// Generated tokens are appended to the cache as they are drawn, so a finished slot can be forked and continued.
/// </summary>
public sealed class GptDecoder
{
    private readonly WorkerPool _pool;
    private readonly GptConfig _c;
    private readonly Sampler _sampler;
    private readonly int _maxRows;
    // Per row of one model run (N <= maxRows): the slot, position and token, and the run's activations.
    private readonly int[] _rowSlots, _rowPositions, _rowTokens, _lastRows;
    private readonly float[] _x, _ln, _mean, _rstd, _qkv, _attY, _proj, _fch, _fchGelu, _lastLogits, _lastValues;
    // Per slot: logits (S,V) and value logit (S) after its last token; generation output (S,ctx).
    private readonly float[] _slotLogits, _slotValueLogits, _generatedLogProbs;
    private readonly int[] _generated, _generatedCount, _ones, _active, _step, _stepTokens;
    private readonly FinishReason[] _finish;
    // Per slot: the generator of its current (or last) Generate; every Generate sets it for each of its slots.
    private readonly Random?[] _slotRandom;
    private readonly int[] _lineStops = [Tokenizer.StepSeparator, Tokenizer.End];

    /// <param name="maxRows">Rows per model run (default max(slots, ctx)); longer prefills run in chunks of this many.</param>
    public GptDecoder(Gpt model, WorkerPool pool, int slots, int maxRows = 0)
    {
        Model = model;
        _pool = pool;
        _c = model.Config;
        Cache = new KvCache(_c, slots);
        _sampler = new Sampler(_c.Vocab);
        _maxRows = maxRows > 0 ? maxRows : Math.Max(slots, _c.Context);
        int r = _maxRows, d = _c.ModelDim;
        (_rowSlots, _rowPositions, _rowTokens, _lastRows) = (new int[r], new int[r], new int[r], new int[r]);
        (_x, _ln, _mean, _rstd, _qkv, _attY, _proj) = (new float[r * d], new float[r * d], new float[r], new float[r], new float[r * 3 * d], new float[r * d], new float[r * d]);
        (_fch, _fchGelu) = (new float[r * 4 * d], new float[r * 4 * d]);
        (_lastLogits, _lastValues) = (new float[r * _c.Vocab], new float[r]);
        (_slotLogits, _slotValueLogits) = (new float[slots * _c.Vocab], new float[slots]);
        (_generated, _generatedLogProbs, _generatedCount) = (new int[slots * _c.Context], new float[slots * _c.Context], new int[slots]);
        _ones = Enumerable.Repeat(1, slots).ToArray();
        (_active, _step, _stepTokens, _finish) = (new int[slots], new int[slots], new int[slots], new FinishReason[slots]);
        _slotRandom = new Random?[slots];
    }

    public Gpt Model { get; }
    public KvCache Cache { get; }

    public int Allocate() => Cache.Allocate();
    public void Free(int slot) => Cache.Free(slot);
    public int Length(int slot) => Cache.Length(slot);

    /// <summary>A new slot continuing from <paramref name="parent"/>: its cache rows, next-token logits and value, without recomputing the prefix.</summary>
    public int Fork(int parent)
    {
        int child = Cache.Fork(parent);
        SlotLogitsOf(parent).CopyTo(SlotLogitsOf(child));
        _slotValueLogits[child] = _slotValueLogits[parent];
        return child;
    }

    /// <summary>Next-token logits (V) after the slot's last token.</summary>
    public ReadOnlySpan<float> Logits(int slot) => SlotLogitsOf(CheckedNonEmpty(slot));

    /// <summary>The value, sigmoid of the value head, at the slot's current (last) position.</summary>
    public float Value(int slot) => ValueLoss.Sigmoid(_slotValueLogits[CheckedNonEmpty(slot)]);

    /// <summary>log p(token | the slot's tokens) under the model (temperature 1, no truncation).</summary>
    public float LogProbability(int slot, int token)
    {
        var logits = Logits(slot);
        return logits[token] - Softmax.LogSumExp(logits);
    }

    /// <summary>Appends <paramref name="tokens"/> to one slot (a prompt, or a continuation) in one or more model runs.</summary>
    public void Prefill(int slot, ReadOnlySpan<int> tokens)
    {
        Span<int> one = [slot];
        Span<int> count = [tokens.Length];
        Extend(one, tokens, count);
    }

    /// <summary>One decoding step: token i appended to slot i. Slots may be at different positions; each appears once.</summary>
    public void Append(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens)
    {
        if (tokens.Length != slots.Length) throw new ArgumentException($"{slots.Length} slots but {tokens.Length} tokens");
        Extend(slots, tokens, _ones.AsSpan(0, slots.Length));
    }

    /// <summary>
    /// Appends counts[i] tokens to slots[i], the tokens of all slots concatenated in <paramref name="tokens"/>.
    /// Rows are processed in order in runs of at most maxRows, each writing its keys and values before attending,
    /// so a slot's tokens may span runs and still attend causally to all earlier ones.
    /// </summary>
    public void Extend(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts)
    {
        int total = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            int slot = slots[i];
            if (!Cache.InUse(slot)) throw new ArgumentOutOfRangeException(nameof(slots), slot, $"slot {slot} is not allocated");
            if (counts[i] < 0 || Cache.Length(slot) + counts[i] > _c.Context)
                throw new ArgumentOutOfRangeException(nameof(counts), $"slot {slot} holds {Cache.Length(slot)} tokens; {counts[i]} more exceed ctx {_c.Context}");
            for (int j = 0; j < i; j++)
                if (slots[j] == slot) throw new ArgumentException($"slot {slot} appears twice in one call", nameof(slots));
            total += counts[i];
        }
        if (tokens.Length != total) throw new ArgumentException($"counts add up to {total} tokens but {tokens.Length} were given", nameof(tokens));

        int rows = 0, consumed = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            int start = Cache.Length(slots[i]);
            for (int j = 0; j < counts[i]; j++)
            {
                _rowSlots[rows] = slots[i];
                _rowPositions[rows] = start + j;
                _rowTokens[rows] = tokens[consumed++];
                rows++;
                if (rows == _maxRows) { Run(rows); rows = 0; }
            }
            Cache.Advance(slots[i], counts[i]);
        }
        if (rows > 0) Run(rows);
    }

    /// <summary>
    /// The model on N rows (slot, position, token): cache writes, cached attention, then logits and value for each slot's
    /// last row. Only those rows need the last layer past its keys and values (the other rows' outputs feed nothing), so
    /// a prefill runs that layer's attention, projection and MLP on one row per slot.
    /// </summary>
    private void Run(int n)
    {
        int d = _c.ModelDim, v = _c.Vocab, ctx = _c.Context;
        var p = Model.Parameters;
        var layout = Model.Layout;
        var packed = Model.Packed(_pool);
        Span<int> rowSlots = _rowSlots.AsSpan(0, n), positions = _rowPositions.AsSpan(0, n);
        // Rows come grouped by slot, in position order: a slot's last row is the one before the next slot's first.
        int m = 0;
        for (int r = 0; r < n; r++)
            if (r == n - 1 || rowSlots[r + 1] != rowSlots[r]) _lastRows[m++] = r;
        bool oneRowPerSlot = m == n;
        Encoder.ForwardAt(_x.AsSpan(0, n * d), _rowTokens.AsSpan(0, n), positions, layout.Wte.Of(p), layout.Wpe.Of(p), n, d);
        for (int l = 0; l < _c.Layers; l++)
        {
            var (w, pw) = (layout.Blocks[l], packed.Blocks[l]);
            Span<float> x = _x.AsSpan(0, n * d), ln = _ln.AsSpan(0, n * d), mean = _mean.AsSpan(0, n), rstd = _rstd.AsSpan(0, n);
            Span<float> qkv = _qkv.AsSpan(0, n * 3 * d);
            LayerNorm.Forward(_pool, ln, mean, rstd, x, w.Ln1Weight.Of(p), w.Ln1Bias.Of(p), n, d);
            Matmul.Forward(_pool, qkv, ln, w.AttnWeight.Of(p), w.AttnBias.Of(p), n, d, 3 * d, pw.Attn);
            // One row per slot (a decode step): attention writes each row's key and value as it reads that slot's block.
            // Several (a prefill): all are written first, as each row attends to the ones before it.
            if (!oneRowPerSlot)
                for (int r = 0; r < n; r++) Cache.Write(l, rowSlots[r], positions[r], qkv.Slice(r * 3 * d + d, d), qkv.Slice(r * 3 * d + 2 * d, d));
            if (l == _c.Layers - 1 && !oneRowPerSlot)
            {
                // Keep each slot's last row: row i takes row _lastRows[i] >= i, so moving them up in order overwrites
                // only rows already moved or dropped.
                for (int i = 0; i < m; i++)
                {
                    int r = _lastRows[i];
                    qkv.Slice(r * 3 * d, 3 * d).CopyTo(qkv.Slice(i * 3 * d, 3 * d));
                    x.Slice(r * d, d).CopyTo(x.Slice(i * d, d));
                    (rowSlots[i], positions[i]) = (rowSlots[r], positions[r]);
                }
                n = m;
                x = x[..(n * d)];
                ln = ln[..(n * d)];
                mean = mean[..n];
                rstd = rstd[..n];
                qkv = qkv[..(n * 3 * d)];
                rowSlots = rowSlots[..n];
                positions = positions[..n];
            }
            Span<float> attY = _attY.AsSpan(0, n * d), proj = _proj.AsSpan(0, n * d), fch = _fch.AsSpan(0, n * 4 * d), fchGelu = _fchGelu.AsSpan(0, n * 4 * d);
            Attention.ForwardCached(_pool, attY, qkv, Cache.LayerKeys(l), Cache.LayerValues(l), rowSlots, positions, n, ctx, d, _c.Heads, writeRows: oneRowPerSlot);
            Matmul.Forward(_pool, proj, attY, w.AttnProjWeight.Of(p), w.AttnProjBias.Of(p), n, d, d, pw.AttnProj);
            Residual.Forward(x, x, proj);
            LayerNorm.Forward(_pool, ln, mean, rstd, x, w.Ln2Weight.Of(p), w.Ln2Bias.Of(p), n, d);
            Matmul.Forward(_pool, fch, ln, w.FcWeight.Of(p), w.FcBias.Of(p), n, d, 4 * d, pw.Fc);
            Gelu.Forward(_pool, fchGelu, fch);
            Matmul.Forward(_pool, proj, fchGelu, w.FcProjWeight.Of(p), w.FcProjBias.Of(p), n, 4 * d, d, pw.FcProj);
            Residual.Forward(x, x, proj);
        }
        // Now n == m: x holds the slots' last rows in order. ln_f, lm head and value head on them.
        Span<float> lastX = _x.AsSpan(0, m * d), lastLn = _ln.AsSpan(0, m * d);
        LayerNorm.Forward(_pool, lastLn, _mean.AsSpan(0, m), _rstd.AsSpan(0, m), lastX, layout.LnFWeight.Of(p), layout.LnFBias.Of(p), m, d);
        Matmul.Forward(_pool, _lastLogits.AsSpan(0, m * v), lastLn, layout.Wte.Of(p), default, m, d, v, packed.Head);
        Matmul.Forward(_pool, _lastValues.AsSpan(0, m), lastLn, layout.ValueWeight.Of(p), layout.ValueBias.Of(p), m, d, 1);
        for (int i = 0; i < m; i++)
        {
            _lastLogits.AsSpan(i * v, v).CopyTo(SlotLogitsOf(rowSlots[i]));
            _slotValueLogits[rowSlots[i]] = _lastValues[i];
        }
    }

    /// <summary>
    /// Generates from each slot (each must hold at least one token) until it draws a stop token, has drawn
    /// <paramref name="maxNewTokens"/>, or its cache is full; all unfinished slots advance together, one batched step per
    /// token. Read the results with <see cref="Generated"/>, <see cref="GeneratedLogProbabilities"/> and <see cref="Finish"/>.
    /// <paramref name="random"/> is consumed in slot order at each step, so a seed repeats a run.
    /// </summary>
    public void Generate(ReadOnlySpan<int> slots, SamplingConfig sampling, Random random, int maxNewTokens, ReadOnlySpan<int> stopTokens)
    {
        foreach (int slot in slots) _slotRandom[CheckedNonEmpty(slot)] = random;
        GenerateDrawn(slots, sampling, maxNewTokens, stopTokens);
    }

    /// <summary>
    /// <see cref="Generate(ReadOnlySpan{int}, SamplingConfig, Random, int, ReadOnlySpan{int})"/> with slot i's tokens drawn
    /// from <paramref name="randoms"/>[i]: several callers' slots share one batched run, and each generator is consumed in
    /// the order of its own slots at each step, exactly as if its slots ran alone.
    /// </summary>
    public void Generate(ReadOnlySpan<int> slots, SamplingConfig sampling, ReadOnlySpan<Random> randoms, int maxNewTokens, ReadOnlySpan<int> stopTokens)
    {
        if (randoms.Length != slots.Length) throw new ArgumentException($"{slots.Length} slots but {randoms.Length} generators", nameof(randoms));
        for (int i = 0; i < slots.Length; i++) _slotRandom[CheckedNonEmpty(slots[i])] = randoms[i];
        GenerateDrawn(slots, sampling, maxNewTokens, stopTokens);
    }

    /// <summary>The generation loop, each slot drawing from its <c>_slotRandom</c>.</summary>
    private void GenerateDrawn(ReadOnlySpan<int> slots, SamplingConfig sampling, int maxNewTokens, ReadOnlySpan<int> stopTokens)
    {
        if (maxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), maxNewTokens, "generate at least one token");
        int active = 0;
        foreach (int slot in slots)
        {
            _generatedCount[slot] = 0;
            _finish[slot] = FinishReason.None;
            _active[active++] = slot;
        }
        while (active > 0)
        {
            int stepping = 0, stillActive = 0;
            for (int i = 0; i < active; i++)
            {
                int slot = _active[i];
                if (Cache.Length(slot) == _c.Context) { _finish[slot] = FinishReason.ContextFull; continue; }
                var logits = SlotLogitsOf(slot);
                int token = _sampler.Sample(logits, sampling, _slotRandom[slot]!);
                int count = _generatedCount[slot]++;
                _generated[slot * _c.Context + count] = token;
                _generatedLogProbs[slot * _c.Context + count] = logits[token] - Softmax.LogSumExp(logits);
                _step[stepping] = slot;
                _stepTokens[stepping++] = token;
                if (stopTokens.Contains(token)) _finish[slot] = FinishReason.StopToken;
                else if (count + 1 == maxNewTokens) _finish[slot] = FinishReason.MaxTokens;
                else _active[stillActive++] = slot;
            }
            if (stepping > 0) Append(_step.AsSpan(0, stepping), _stepTokens.AsSpan(0, stepping));
            active = stillActive;
        }
    }

    /// <summary>
    /// The step proposer's primitive: generates one line from each slot, up to and including the step separator (or the
    /// end token), at most <paramref name="maxTokens"/> tokens. The slots then sit at the start of the next line.
    /// </summary>
    public void ProposeLines(ReadOnlySpan<int> slots, SamplingConfig sampling, Random random, int maxTokens) =>
        Generate(slots, sampling, random, maxTokens, _lineStops);

    /// <summary><see cref="ProposeLines(ReadOnlySpan{int}, SamplingConfig, Random, int)"/>, slot i drawing from <paramref name="randoms"/>[i].</summary>
    public void ProposeLines(ReadOnlySpan<int> slots, SamplingConfig sampling, ReadOnlySpan<Random> randoms, int maxTokens) =>
        Generate(slots, sampling, randoms, maxTokens, _lineStops);

    /// <summary><see cref="ProposeLines(ReadOnlySpan{int}, SamplingConfig, Random, int)"/> for one slot; returns its tokens (valid until the slot generates again).</summary>
    public ReadOnlySpan<int> ProposeLine(int slot, SamplingConfig sampling, Random random, int maxTokens)
    {
        Span<int> one = [slot];
        ProposeLines(one, sampling, random, maxTokens);
        return Generated(slot);
    }

    /// <summary>Tokens drawn by the slot's last generation.</summary>
    public ReadOnlySpan<int> Generated(int slot) => _generated.AsSpan(slot * _c.Context, _generatedCount[slot]);

    /// <summary>log p of each generated token under the model (temperature 1, untruncated), what tree search scores steps with.</summary>
    public ReadOnlySpan<float> GeneratedLogProbabilities(int slot) => _generatedLogProbs.AsSpan(slot * _c.Context, _generatedCount[slot]);

    public FinishReason Finish(int slot) => _finish[slot];

    private Span<float> SlotLogitsOf(int slot) => _slotLogits.AsSpan(slot * _c.Vocab, _c.Vocab);

    private int CheckedNonEmpty(int slot)
    {
        if (Cache.Length(slot) == 0) throw new InvalidOperationException($"slot {slot} holds no tokens yet: prefill it first");
        return slot;
    }
}
