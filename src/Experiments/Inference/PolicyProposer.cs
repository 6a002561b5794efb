using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Inference;

/// <summary>
/// The GPT policy as a search's step proposer. A state is a decoder slot holding the KV cache of its tokens
/// ([Begin] + prompt + steps, each step ending in the separator). <see cref="Propose(IReadOnlyList{StateHandle}, ProposeRequest)"/>
/// forks every state's slot Count times and generates one line in each fork with ONE batched
/// <see cref="GptDecoder.ProposeLines(ReadOnlySpan{int}, SamplingConfig, ReadOnlySpan{Random}, int)"/> call over the forks of all states, so a child continues from its parent's cache and never re-encodes the prefix.
/// <para>
/// Repeated proposals are returned as drawn, not merged: sampling, best-of-N and beam need the true sample
/// frequencies, and the search merges repeats itself where the method asks for distinct steps (ToT, and MCTS, whose
/// priors are then normalised over the distinct candidates), releasing the duplicates' slots at once.
/// </para>
/// <para>
/// The value head's output after a state's last token is read when the state is made (the decoder computes it with
/// the logits of that token), so <see cref="PolicyValueEstimator"/> costs no forward pass. When every slot is taken
/// the decoder grows to twice its slots: the live states are re-prefilled into the new one (counted in
/// <see cref="ForwardTokens"/>), so give <c>slots</c> room for the search's peak (MCTS keeps every unexpanded leaf) to avoid that.
/// </para>
/// Several searches may share one proposer (their handles never collide), their calls answered together by
/// <see cref="Propose(IReadOnlyList{ProposeCall})"/>; it is not thread-safe: one call at a time.
/// </summary>
public sealed class PolicyProposer : IBatchedProposer
{
    const int NoSlot = -1;

    /// <summary>A state: its tokens (for re-encoding and growth), its slot (NoSlot in re-encode mode), value, and the
    /// log-probability of the step that led to it (0 for a root).</summary>
    sealed record State(int[] Tokens, int Slot, float Value, double StepLogProb = 0);

    readonly WorkerPool pool;
    readonly Dictionary<long, State> states = [];
    long nextId;

    /// <param name="slots">Decoder slots to start with (it doubles when full).</param>
    public PolicyProposer(Gpt model, Tokenizer tokenizer, WorkerPool pool, int slots = 64, PrefixMode mode = PrefixMode.CacheReuse)
    {
        if (tokenizer.VocabSize != model.Config.Vocab)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab is {model.Config.Vocab}", nameof(tokenizer));
        Model = model;
        Tokenizer = tokenizer;
        this.pool = pool;
        Mode = mode;
        Decoder = new GptDecoder(model, pool, Math.Max(1, slots));
    }

    public Gpt Model { get; }
    public Tokenizer Tokenizer { get; }
    public PrefixMode Mode { get; }
    internal GptDecoder Decoder { get; private set; }

    /// <summary>Every token run forward: prompts, generated tokens, and re-encoded prefixes (re-encode mode, growth).</summary>
    public long ForwardTokens { get; private set; }
    /// <summary>Every token sampled.</summary>
    public long GeneratedTokens { get; private set; }
    /// <summary>States not yet released: 0 after a search that released all its handles.</summary>
    public int LiveStates => states.Count;
    /// <summary>Decoder slots in use (0 when every state was released).</summary>
    public int SlotsInUse => Decoder.Cache.Slots - Decoder.Cache.FreeSlots;
    public int Slots => Decoder.Cache.Slots;

    /// <summary>The tokens a problem's prompt is encoded as: the begin token, then the prompt's characters.</summary>
    public static int[] PromptTokens(Tokenizer tokenizer, string prompt) => [Tokenizer.Begin, .. tokenizer.Encode(prompt)];

    public RootState Begin(Problem problem, string prompt)
    {
        var tokens = PromptTokens(Tokenizer, prompt);
        if (tokens.Length > Model.Config.Context)
            throw new ArgumentException($"the prompt of problem {problem.Id} is {tokens.Length} tokens, more than the model's context of {Model.Config.Context}");
        EnsureFreeSlots(1);
        var slot = Decoder.Allocate();
        Decoder.Prefill(slot, tokens);
        ForwardTokens += tokens.Length;
        var value = Decoder.Value(slot);
        if (Mode == PrefixMode.ReEncode)
        {
            Decoder.Free(slot);
            slot = NoSlot;
        }
        return new RootState(Add(new State(tokens, slot, value)), tokens.Length);
    }

    public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> handles, ProposeRequest request) =>
        Propose([new ProposeCall(handles, request)])[0];

    /// <summary>
    /// Every call's forks in ONE batched <see cref="GptDecoder.ProposeLines(ReadOnlySpan{int}, SamplingConfig, ReadOnlySpan{Random}, int)"/>,
    /// the forks of call i drawing from their own generator seeded with its request's seed, in the order they would alone.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<StepProposal>>> Propose(IReadOnlyList<ProposeCall> calls)
    {
        if (calls.Count == 0) return [];
        var first = calls[0].Request;
        if (calls.Any(c => c.Request.Temperature != first.Temperature || c.Request.MaxStepTokens != first.MaxStepTokens))
            throw new ArgumentException("calls answered together must share the temperature and the longest step", nameof(calls));
        // Forks of states already at the context's end would generate nothing: they get no proposals.
        var forkOf = new List<(int Call, int State)>();
        var randoms = new List<Random>();
        for (var c = 0; c < calls.Count; c++)
        {
            var request = calls[c].Request;
            var count = request.Temperature <= 0 ? Math.Min(1, request.Count) : request.Count;
            var random = new Random(request.Seed);
            for (var i = 0; i < calls[c].States.Count; i++)
                if (Get(calls[c].States[i]).Tokens.Length < Model.Config.Context)
                    for (var k = 0; k < count; k++)
                    {
                        forkOf.Add((c, i));
                        randoms.Add(random);
                    }
        }
        var forks = new int[forkOf.Count];
        EnsureFreeSlots(forks.Length);
        // Read after growth, which moves states to new slots.
        var parents = forkOf.Select(f => Get(calls[f.Call].States[f.State])).ToArray();
        if (Mode == PrefixMode.CacheReuse)
        {
            for (var f = 0; f < forks.Length; f++) forks[f] = Decoder.Fork(parents[f].Slot);
        }
        else
        {
            for (var f = 0; f < forks.Length; f++) forks[f] = Decoder.Allocate();
            ForwardTokens += Prefill(forks, parents.Select(p => p.Tokens).ToArray());
        }
        var sampling = first.Temperature <= 0 ? SamplingConfig.Greedy : new SamplingConfig(first.Temperature);
        if (forks.Length > 0) Decoder.ProposeLines(forks, sampling, randoms.ToArray(), first.MaxStepTokens);

        var proposals = calls.Select(c => Enumerable.Range(0, c.States.Count).Select(_ => new List<StepProposal>()).ToArray()).ToArray();
        for (var f = 0; f < forks.Length; f++)
        {
            var slot = forks[f];
            var generated = Decoder.Generated(slot);
            double logProb = 0;
            foreach (var lp in Decoder.GeneratedLogProbabilities(slot)) logProb += lp;
            var finish = Decoder.Finish(slot);
            // A line cut at MaxStepTokens or at the context's end is unfinished: a next step would continue it mid-line,
            // so it ends the trajectory like the end token does.
            var endOfText = finish != FinishReason.StopToken || generated[^1] == Tokenizer.End;
            var text = Tokenizer.Decode(generated).TrimEnd('\n');
            var parent = parents[f];
            var tokens = new int[parent.Tokens.Length + generated.Length];
            parent.Tokens.CopyTo(tokens, 0);
            generated.CopyTo(tokens.AsSpan(parent.Tokens.Length));
            var value = Decoder.Value(slot);
            GeneratedTokens += generated.Length;
            ForwardTokens += generated.Length;
            if (Mode == PrefixMode.ReEncode)
            {
                Decoder.Free(slot);
                slot = NoSlot;
            }
            // The proposal's ForwardTokens is the step's own tokens in both modes (each drawn token is fed once); the
            // prefixes re-encoded in re-encode mode are counted in this proposer's ForwardTokens only.
            proposals[forkOf[f].Call][forkOf[f].State].Add(new StepProposal(text, logProb, generated.Length, generated.Length, Add(new State(tokens, slot, value, logProb)), endOfText));
        }
        return proposals.Select(p => (IReadOnlyList<IReadOnlyList<StepProposal>>)p).ToList();
    }

    public void Release(StateHandle handle)
    {
        if (!states.Remove(handle.Id, out var state))
            throw new InvalidOperationException($"state {handle.Id} is not held by this proposer (released twice?)");
        if (state.Slot != NoSlot) Decoder.Free(state.Slot);
    }

    /// <summary>sigmoid(value head) after the state's last token.</summary>
    public float ValueOf(StateHandle handle) => Get(handle).Value;

    /// <summary>The log-probability under the policy (temperature 1) of the step that led to the state; 0 for a root.</summary>
    public double StepLogProbability(StateHandle handle) => Get(handle).StepLogProb;

    /// <summary>The state's tokens, prompt included.</summary>
    public IReadOnlyList<int> TokensOf(StateHandle handle) => Get(handle).Tokens;

    /// <summary>The next-token logits (V) at the end of the state (cache-reuse mode only).</summary>
    internal ReadOnlySpan<float> LogitsOf(StateHandle handle) =>
        Get(handle).Slot is var slot and not NoSlot ? Decoder.Logits(slot) : throw new InvalidOperationException("re-encode mode keeps no slot per state");

    State Get(StateHandle handle) =>
        states.TryGetValue(handle.Id, out var state) ? state : throw new InvalidOperationException($"state {handle.Id} is not held by this proposer (released?)");

    StateHandle Add(State state)
    {
        var handle = new StateHandle(nextId++);
        states.Add(handle.Id, state);
        return handle;
    }

    /// <summary>Prefills each slot with its tokens in one batched decoder call; returns the tokens run.</summary>
    long Prefill(int[] slots, int[][] tokens)
    {
        if (slots.Length == 0) return 0;
        var all = tokens.SelectMany(t => t).ToArray();
        Decoder.Extend(slots, all, tokens.Select(t => t.Length).ToArray());
        return all.Length;
    }

    /// <summary>Grows the decoder (doubling) until <paramref name="needed"/> slots are free, moving the live states over.</summary>
    void EnsureFreeSlots(int needed)
    {
        if (Decoder.Cache.FreeSlots >= needed) return;
        var slots = Decoder.Cache.Slots;
        while (slots - SlotsInUse < needed) slots *= 2;
        var grown = new GptDecoder(Model, pool, slots);
        var moving = states.Where(s => s.Value.Slot != NoSlot).ToArray();
        var newSlots = new int[moving.Length];
        for (var i = 0; i < moving.Length; i++) newSlots[i] = grown.Allocate();
        Decoder = grown;
        ForwardTokens += Prefill(newSlots, moving.Select(s => s.Value.Tokens).ToArray());
        for (var i = 0; i < moving.Length; i++) states[moving[i].Key] = moving[i].Value with { Slot = newSlots[i] };
    }
}
