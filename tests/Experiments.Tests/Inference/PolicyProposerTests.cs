using Reasoner.Rewards;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Experiments.Tests.Inference;

public sealed class PolicyProposerTests : IDisposable
{
    readonly TinyPolicy tiny = new();
    readonly WorkerPool pool = new(1);

    public void Dispose() => pool.Dispose();

    PolicyProposer NewProposer(PrefixMode mode = PrefixMode.CacheReuse, int slots = 32) =>
        new(tiny.Model, tiny.Tokenizer, pool, slots, mode);

    /// <summary>Root, 3 children, 3 grandchildren of each (all sampled in two batched calls).</summary>
    (RootState Root, IReadOnlyList<StepProposal> Children, IReadOnlyList<StepProposal> Grandchildren) TwoLevels(PolicyProposer proposer)
    {
        var root = proposer.Begin(tiny.Problem, tiny.Task.Prompt(tiny.Problem));
        var children = proposer.Propose([root.Handle], new ProposeRequest(3, 1f, 24, Seed: 11))[0];
        var grandchildren = proposer.Propose(children.Select(c => c.Child).ToList(), new ProposeRequest(3, 1f, 24, Seed: 12)).SelectMany(l => l).ToList();
        return (root, children, grandchildren);
    }

    [Fact]
    public void ChildrenContinueExactlyAsAFreshPrefillOfPromptAndSteps()
    {
        var proposer = NewProposer();
        var (_, children, grandchildren) = TwoLevels(proposer);
        Assert.Equal(9, grandchildren.Count);
        var fresh = new GptDecoder(tiny.Model, pool, 1);
        foreach (var state in children.Concat(grandchildren))
        {
            var tokens = proposer.TokensOf(state.Child).ToArray();
            var slot = fresh.Allocate();
            fresh.Prefill(slot, tokens);
            var expected = fresh.Logits(slot).ToArray();
            var actual = proposer.LogitsOf(state.Child).ToArray();
            for (var v = 0; v < expected.Length; v++) Assert.Equal(expected[v], actual[v], 3e-4f);
            Assert.Equal(fresh.Value(slot), proposer.ValueOf(state.Child), 1e-4f);
            fresh.Free(slot);
        }
    }

    [Fact]
    public void StepTokensAreThePromptAndStepsAsTheTokenizerWritesThem()
    {
        var proposer = NewProposer();
        var (root, children, grandchildren) = TwoLevels(proposer);
        var prompt = tiny.Task.Prompt(tiny.Problem);
        Assert.Equal(PolicyProposer.PromptTokens(tiny.Tokenizer, prompt), proposer.TokensOf(root.Handle));
        foreach (var child in children.Where(c => !c.EndOfText))
        {
            // A finished line ends in the separator, which the step's text leaves out.
            var tokens = proposer.TokensOf(child.Child);
            Assert.Equal(prompt + child.Text + "\n", tiny.Tokenizer.Decode(tokens.Skip(1).ToArray()));
            Assert.Equal(child.GeneratedTokens, tokens.Count - proposer.TokensOf(root.Handle).Count);
        }
    }

    [Fact]
    public void LogProbIsTheSumOfTheDecodersTokenLogProbabilities()
    {
        var proposer = NewProposer();
        var (root, children, _) = TwoLevels(proposer);
        var prefix = proposer.TokensOf(root.Handle).ToArray();
        var fresh = new GptDecoder(tiny.Model, pool, 1);
        foreach (var child in children)
        {
            var slot = fresh.Allocate();
            fresh.Prefill(slot, prefix);
            double expected = 0;
            foreach (var token in proposer.TokensOf(child.Child).Skip(prefix.Length))
            {
                expected += fresh.LogProbability(slot, token);
                fresh.Prefill(slot, [token]);
            }
            Assert.Equal(expected, child.LogProb, 1e-3);
            Assert.True(child.LogProb < 0);
            fresh.Free(slot);
        }
    }

    [Fact]
    public void ReEncodingGivesTheSameProposalsForMoreForwardTokens()
    {
        var reuse = NewProposer();
        var reencode = NewProposer(PrefixMode.ReEncode);
        var (_, reuseChildren, reuseGrand) = TwoLevels(reuse);
        var (_, reencodeChildren, reencodeGrand) = TwoLevels(reencode);
        Assert.Equal(reuseChildren.Concat(reuseGrand).Select(p => p.Text), reencodeChildren.Concat(reencodeGrand).Select(p => p.Text));
        foreach (var (a, b) in reuseGrand.Zip(reencodeGrand))
        {
            Assert.Equal(a.LogProb, b.LogProb, 1e-3);
            Assert.Equal(reuse.ValueOf(a.Child), reencode.ValueOf(b.Child), 1e-4f);
        }
        Assert.Equal(reuse.GeneratedTokens, reencode.GeneratedTokens);
        // Re-encoding runs each proposal's whole prefix again: 3 prompts, then 9 prompt-plus-first-step prefixes.
        var prompt = reuse.TokensOf(new StateHandle(0)).Count;
        var expectedExtra = 3L * prompt + reuseChildren.Sum(c => 3L * (prompt + c.GeneratedTokens));
        Assert.Equal(reuse.ForwardTokens + expectedExtra, reencode.ForwardTokens);
        Assert.Equal(0, reencode.SlotsInUse);
    }

    [Fact]
    public void CallsAnsweredTogetherDrawWhatEachWouldDrawAlone()
    {
        // Three searches' calls (two problems, counts 3, 2 and 4) in one generation, against each call on its own proposer.
        var problems = tiny.Task.Generate(Rewards.Split.Test, 2, seed: 8);
        ProposeCall[] Calls(PolicyProposer proposer)
        {
            var roots = problems.Select(p => proposer.Begin(p, tiny.Task.Prompt(p)).Handle).ToList();
            return [new([roots[0]], new ProposeRequest(3, 1f, 24, Seed: 21)), new([roots[1]], new ProposeRequest(2, 1f, 24, Seed: 22)),
                new([roots[0], roots[1]], new ProposeRequest(4, 1f, 24, Seed: 23))];
        }
        var shared = NewProposer();
        var together = shared.Propose(Calls(shared));
        for (var c = 0; c < together.Count; c++)
        {
            var own = NewProposer();
            var call = Calls(own)[c];
            var alone = own.Propose(call.States, call.Request);
            Assert.Equal(alone.Select(l => l.Select(p => p.Text)), together[c].Select(l => l.Select(p => p.Text)));
            // A larger batch may round the products differently: the same tokens, log-probabilities equal to rounding.
            foreach (var (a, b) in alone.SelectMany(l => l).Zip(together[c].SelectMany(l => l))) Assert.Equal(a.LogProb, b.LogProb, 1e-4);
        }
        Assert.Equal([1 * 3, 1 * 2, 2 * 4], together.Select(l => l.Sum(p => p.Count)));
        Assert.Throws<ArgumentException>(() => shared.Propose([new([new StateHandle(0)], new ProposeRequest(1, 1f, 24, 1)), new([new StateHandle(1)], new ProposeRequest(1, 0.5f, 24, 1))]));
    }

    [Fact]
    public void GreedyProposesOneStepWhateverTheCount()
    {
        var proposer = NewProposer();
        var root = proposer.Begin(tiny.Problem, tiny.Task.Prompt(tiny.Problem));
        var first = proposer.Propose([root.Handle], new ProposeRequest(4, 0f, 24, Seed: 1))[0];
        var second = proposer.Propose([root.Handle], new ProposeRequest(1, 0f, 24, Seed: 2))[0];
        Assert.Single(first);
        Assert.Equal(first[0].Text, second[0].Text);
    }

    [Fact]
    public void ReleasedSlotsAreReusedAndAFullDecoderGrows()
    {
        var proposer = NewProposer(slots: 2);
        var (root, children, grandchildren) = TwoLevels(proposer);
        Assert.Equal(13, proposer.LiveStates);
        Assert.True(proposer.Slots >= 13);
        // The states moved to the grown decoder continue as a fresh prefill of their tokens.
        var fresh = new GptDecoder(tiny.Model, pool, 1);
        var slot = fresh.Allocate();
        fresh.Prefill(slot, proposer.TokensOf(children[0].Child).ToArray());
        var expected = fresh.Logits(slot).ToArray();
        var actual = proposer.LogitsOf(children[0].Child).ToArray();
        for (var v = 0; v < expected.Length; v++) Assert.Equal(expected[v], actual[v], 3e-4f);
        var slots = proposer.Slots;
        foreach (var state in grandchildren) proposer.Release(state.Child);
        var again = proposer.Propose(children.Select(c => c.Child).ToList(), new ProposeRequest(3, 1f, 24, Seed: 13));
        Assert.Equal(slots, proposer.Slots);
        foreach (var state in again.SelectMany(l => l).Concat(children)) proposer.Release(state.Child);
        proposer.Release(root.Handle);
        Assert.Equal(0, proposer.LiveStates);
        Assert.Equal(0, proposer.SlotsInUse);
        Assert.Throws<InvalidOperationException>(() => proposer.Release(root.Handle));
    }

    [Fact]
    public void ValueEstimatorReadsTheValueHeadAndCountsCalls()
    {
        var proposer = NewProposer();
        var (root, children, _) = TwoLevels(proposer);
        var estimator = new PolicyValueEstimator(proposer);
        var states = children.Select(c => new NodeState(c.Child, [c.Text])).Prepend(new NodeState(root.Handle, [])).ToList();
        var values = estimator.Evaluate(tiny.Problem, states);
        Assert.Equal(states.Select(s => proposer.ValueOf(s.Handle)), values);
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1, estimator.Calls);
        Assert.Equal(4, estimator.Evaluations);
    }

    [Fact]
    public void StepChecksMultiplyEachStatesValueByTheProbabilityOfEveryClaimItMakes()
    {
        var proposer = NewProposer();
        var (root, children, grandchildren) = TwoLevels(proposer);
        var states = grandchildren.Concat(children).Select(c => new NodeState(c.Child, [c.Text])).Prepend(new NodeState(root.Handle, [])).ToList();
        var other = Gpt.CreateRandom(tiny.Model.Config, seed: 78);
        var plain = new ValueNetworkEstimator(other, proposer, pool, slots: 4).Evaluate(tiny.Problem, states);
        var task = new EveryLineClaims(tiny.Task);
        var checkedValues = new ValueNetworkEstimator(other, proposer, pool, slots: 4, checks: new ValueChecks(task)).Evaluate(tiny.Problem, states);

        // Independently: each line after the prompt's, split as the task says, scored by the network from [Begin] + question.
        var decoder = new GptDecoder(other, pool, slots: 2);
        Assert.Equal(plain[0], checkedValues[0]); // the prompt alone claims nothing
        for (int i = 1; i < states.Count; i++)
        {
            var lines = tiny.Tokenizer.Decode(proposer.TokensOf(states[i].Handle).ToArray()).Split('\n').Skip(1).Where(l => l.Trim().Length > 0).ToList();
            Assert.NotEmpty(lines);
            Assert.Equal(plain[i] * Math.Exp(ClaimsLogProbability(decoder, task, lines)), checkedValues[i], 1e-4 * plain[i]);
            Assert.True(checkedValues[i] < plain[i]);
        }
    }

    [Fact]
    public void StateChecksValueAPartialStateByTheProblemItsLastStepLeaves()
    {
        var proposer = NewProposer();
        var (root, children, grandchildren) = TwoLevels(proposer);
        var states = grandchildren.Concat(children).Select(c => new NodeState(c.Child, [c.Text])).Prepend(new NodeState(root.Handle, [])).ToList();
        var other = Gpt.CreateRandom(tiny.Model.Config, seed: 79);
        var plain = new ValueNetworkEstimator(other, proposer, pool, slots: 4).Evaluate(tiny.Problem, states);
        var task = new EveryLineClaims(tiny.Task, leaves: true);
        var estimator = new ValueNetworkEstimator(other, proposer, pool, slots: 4, checks: new ValueChecks(task, States: true));
        var checkedValues = estimator.Evaluate(tiny.Problem, states);

        // Independently: the claims' probability times the head's value of the problem the last line leaves, read from
        // [Begin] + that prompt alone (the tiny policy's lines are never answer lines).
        var decoder = new GptDecoder(other, pool, slots: 2);
        Assert.Equal(plain[0], checkedValues[0]); // the prompt alone leaves nothing new
        for (int i = 1; i < states.Count; i++)
        {
            var text = tiny.Tokenizer.Decode(proposer.TokensOf(states[i].Handle).ToArray());
            var lines = text.Split('\n');
            var last = lines.Skip(1).Last(l => l.Trim().Length > 0);
            var left = task.Remaining(lines[0], last)!;
            int slot = decoder.Allocate();
            decoder.Prefill(slot, [Tokenizer.Begin, .. tiny.Tokenizer.Encode(left)]);
            var leftValue = decoder.Value(slot);
            decoder.Free(slot);
            var claims = ClaimsLogProbability(decoder, task, lines.Skip(1).Where(l => l.Trim().Length > 0));
            Assert.Equal(leftValue * Math.Exp(claims), checkedValues[i], 1e-4 * leftValue);
        }
        Assert.True(estimator.ForwardTokens > plain.Count);
    }

    /// <summary>The tiny policy writes random lines; this task calls every one a claim (its first character the question)
    /// and, with <paramref name="leaves"/>, a step that leaves a problem (its last character, as a prompt) and never an
    /// answer line.</summary>
    private sealed class EveryLineClaims(ITask inner, bool leaves = false) : ITask
    {
        public StepClaim? Claim(string line) => line.Length >= 2 ? new StepClaim(line[..1], line[1..]) : null;
        public string? Remaining(string prompt, string line) => leaves && line.Trim().Length > 0 ? line.Trim()[^1..] + "\n" : null;
        public string Name => inner.Name;
        public string Alphabet => inner.Alphabet;
        public IReadOnlyList<Problem> Generate(Split split, int count, int seed) => inner.Generate(split, count, seed);
        public string Prompt(Problem problem) => inner.Prompt(problem);
        public IReadOnlyList<string> Solve(Problem problem) => inner.Solve(problem);
        public int MaxSteps(Problem problem) => inner.MaxSteps(problem);
        public bool IsAnswerLine(string line) => !leaves && inner.IsAnswerLine(line);
        public ParsedCompletion Parse(string completion) => inner.Parse(completion);
        public Verdict Verify(Problem problem, string completion, RewardConfig rewards) => inner.Verify(problem, completion, rewards);
        public bool IsSolvable(Problem problem, IReadOnlyList<string> steps) => inner.IsSolvable(problem, steps);
        public IReadOnlyList<string> Corruptions(Problem problem, IReadOnlyList<string> steps, string step, Random random) => inner.Corruptions(problem, steps, step, random);
        public System.Text.Json.Nodes.JsonObject ToJson(Problem problem) => inner.ToJson(problem);
        public Problem FromJson(System.Text.Json.Nodes.JsonObject json) => inner.FromJson(json);
    }

    /// <summary>The sum of log p(answer | [Begin] question) over the claims of <paramref name="lines"/>, scored independently.</summary>
    private double ClaimsLogProbability(GptDecoder decoder, ITask task, IEnumerable<string> lines) =>
        lines.Select(l => task.Claim(l.Trim())!).Sum(claim => (double)Reasoner.Experiments.SelfImprovement.SequenceScorer.LogProbabilities(
            decoder, tiny.Tokenizer, claim.Question, [new Reasoner.Experiments.Training.TrainingExample(claim.Question, claim.Answer)])[0].Sum());

    [Fact]
    public void SeparateValueNetworkReadsEachStateAsItsOwnPrefillWouldInBatchesOfItsSlots()
    {
        var proposer = NewProposer();
        var (root, children, grandchildren) = TwoLevels(proposer);
        var states = grandchildren.Concat(children).Select(c => new NodeState(c.Child, [c.Text])).Prepend(new NodeState(root.Handle, [])).ToList();
        // The policy itself as the "separate" network: it must give what the policy's own head read during decoding.
        var same = new ValueNetworkEstimator(tiny.Model, proposer, pool, slots: 5);
        var values = same.Evaluate(tiny.Problem, states);
        for (var i = 0; i < states.Count; i++) Assert.Equal(proposer.ValueOf(states[i].Handle), values[i], 2e-5f);
        Assert.Equal(states.Sum(s => proposer.TokensOf(s.Handle).Count), same.ForwardTokens);

        var other = Gpt.CreateRandom(tiny.Model.Config, seed: 77);
        var separate = new ValueNetworkEstimator(other, proposer, pool, slots: 4);
        var otherValues = separate.Evaluate(tiny.Problem, states);
        var decoder = new GptDecoder(other, pool, slots: 1);
        for (var i = 0; i < states.Count; i++)
        {
            var slot = decoder.Allocate();
            decoder.Prefill(slot, proposer.TokensOf(states[i].Handle).ToArray());
            Assert.Equal(decoder.Value(slot), otherValues[i], 2e-5f);
            decoder.Free(slot);
        }
        Assert.Equal((1, states.Count), (separate.Calls, separate.Evaluations));
        Assert.Contains(Enumerable.Range(0, states.Count), i => Math.Abs(values[i] - otherValues[i]) > 1e-3f);

        var wrongVocab = Gpt.CreateRandom(tiny.Model.Config with { Vocab = tiny.Model.Config.Vocab + 1 }, seed: 1);
        Assert.Contains("vocab", Assert.Throws<ArgumentException>(() => new ValueNetworkEstimator(wrongVocab, proposer, pool)).Message);
        var shortContext = Gpt.CreateRandom(tiny.Model.Config with { Context = 16 }, seed: 1);
        Assert.Contains("context", Assert.Throws<ArgumentException>(() => new ValueNetworkEstimator(shortContext, proposer, pool)).Message);
    }
}
