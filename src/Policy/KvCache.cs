namespace Reasoner.Policy;

/// <summary>
/// Keys and values of every layer for S slots of up to ctx tokens: Keys and Values are (L,S,H,ctx,hs), so the keys of
/// one slot and head lie contiguous, in position order, as a decode step's attention reads them (with (L,S,ctx,C), rows
/// C floats apart, decoding the small model spent ~30% longer in attention). A slot is one sequence being decoded; slots
/// are allocated, forked and freed. Fork copies the parent's rows: 2*L*len*C floats, a memcpy far cheaper than the
/// forward it saves, and it keeps every slot's rows contiguous for the attention kernel (sharing prefixes by reference
/// would need a page table).
/// </summary>
public sealed class KvCache
{
    private readonly int[] _lengths;
    private readonly bool[] _inUse;
    private readonly int[] _free;
    private int _freeCount;

    public KvCache(GptConfig config, int slots)
    {
        if (slots < 1) throw new ArgumentOutOfRangeException(nameof(slots), slots, "a cache needs at least one slot");
        Config = config;
        Slots = slots;
        long size = (long)config.Layers * slots * config.Context * config.ModelDim;
        if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(slots), $"{slots} slots need {size} floats per cache, more than one array holds");
        Keys = new float[size];
        Values = new float[size];
        _lengths = new int[slots];
        _inUse = new bool[slots];
        _free = new int[slots];
        for (int i = 0; i < slots; i++) _free[i] = slots - 1 - i; // slot 0 is handed out first
        _freeCount = slots;
    }

    public GptConfig Config { get; }
    public int Slots { get; }
    public float[] Keys { get; }
    public float[] Values { get; }
    public int FreeSlots => _freeCount;

    /// <summary>Tokens in the slot's cache so far (its next position).</summary>
    public int Length(int slot) => _lengths[Checked(slot)];

    public bool InUse(int slot) => (uint)slot < (uint)Slots && _inUse[slot];

    /// <summary>An empty slot.</summary>
    public int Allocate()
    {
        if (_freeCount == 0) throw new InvalidOperationException($"all {Slots} cache slots are in use; free one first");
        int slot = _free[--_freeCount];
        _inUse[slot] = true;
        _lengths[slot] = 0;
        return slot;
    }

    public void Free(int slot)
    {
        _inUse[Checked(slot)] = false;
        _free[_freeCount++] = slot;
    }

    /// <summary>A new slot holding a copy of the parent's keys and values, at the parent's length.</summary>
    public int Fork(int parent)
    {
        int length = Length(parent);
        int child = Allocate();
        int heads = Config.Heads, headSize = Config.ModelDim / heads;
        for (int l = 0; l < Config.Layers; l++)
            for (int h = 0; h < heads; h++)
            {
                long from = HeadOffset(l, parent, h), to = HeadOffset(l, child, h);
                Array.Copy(Keys, from, Keys, to, length * headSize);
                Array.Copy(Values, from, Values, to, length * headSize);
            }
        _lengths[child] = length;
        return child;
    }

    /// <summary>Where head h of a slot's layer starts: (ctx,hs) floats follow.</summary>
    private long HeadOffset(int layer, int slot, int head) => (((long)layer * Slots + slot) * Config.Heads + head) * Config.Context * (Config.ModelDim / Config.Heads);

    /// <summary>The (S,H,ctx,hs) keys of one layer.</summary>
    internal Span<float> LayerKeys(int layer) => Keys.AsSpan(layer * Slots * Config.Context * Config.ModelDim, Slots * Config.Context * Config.ModelDim);
    internal Span<float> LayerValues(int layer) => Values.AsSpan(layer * Slots * Config.Context * Config.ModelDim, Slots * Config.Context * Config.ModelDim);

    /// <summary>Writes one position's key and value rows (C each, head h in columns h*hs..(h+1)*hs-1) into the layer's cache.</summary>
    internal void Write(int layer, int slot, int position, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        int headSize = Config.ModelDim / Config.Heads;
        for (int h = 0; h < Config.Heads; h++)
        {
            long at = HeadOffset(layer, slot, h) + (long)position * headSize;
            key.Slice(h * headSize, headSize).CopyTo(Keys.AsSpan((int)at, headSize));
            value.Slice(h * headSize, headSize).CopyTo(Values.AsSpan((int)at, headSize));
        }
    }

    internal void Advance(int slot, int count) => _lengths[slot] += count;

    private int Checked(int slot)
    {
        if (!InUse(slot)) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"slot {slot} is not an allocated slot of this cache");
        return slot;
    }
}
