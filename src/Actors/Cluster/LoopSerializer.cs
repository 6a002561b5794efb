using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Search;

namespace Reasoner.Actors.Cluster;

/// <summary>
/// The serializer of every <see cref="ILoopMessage"/>: a fixed binary layout per message, named on the wire by a short
/// manifest of our own, never by a .NET type name. A manifest it does not know, or bytes that do not parse as the layout
/// (a count beyond the frame, bytes left over), are refused with a <see cref="SerializationException"/>: a peer is
/// untrusted input. Strings are UTF-8 with a length prefix; every count is checked against the bytes left.
/// </summary>
internal sealed class LoopSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Our identifier among the system's serializers (Akka keeps 0-40 for its own).</summary>
    public const int Id = 4127;

    private const string Register = "reg", Registered = "ok", Refused = "no", Request = "req", Offer = "job", Done = "done",
        Failed = "fail", Fetch = "fetch", Chunk = "chunk", ChunkNo = "nochunk", End = "end";

    public override string Manifest(object o) => o switch
    {
        RegisterNode => Register,
        NodeRegistered => Registered,
        NodeRefused => Refused,
        RequestJobs => Request,
        JobOffer => Offer,
        JobDone => Done,
        JobFailed => Failed,
        FetchChunk => Fetch,
        CheckpointChunk => Chunk,
        ChunkRefused => ChunkNo,
        RunEnded => End,
        _ => throw new SerializationException($"{o.GetType().Name} is not a message of the loop's protocol"),
    };

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case RegisterNode m: w.Write(m.ProtocolVersion); WriteNullable(w, m.Experiment); w.Write(m.Node); w.Write(m.Slots); break;
                case NodeRegistered m: w.Write(m.Experiment); w.Write(m.ConfigYaml); break;
                case NodeRefused m: w.Write(m.Reason); break;
                case RequestJobs m: w.Write(m.Count); break;
                case JobOffer m:
                    w.Write(m.JobId); w.Write((int)m.Task); w.Write(m.ProblemJson); WritePlan(w, m.Plan); w.Write(m.Seed); w.Write(m.Iteration);
                    WriteCheckpoint(w, m.Checkpoint);
                    break;
                case JobDone m:
                    w.Write(m.JobId); WriteEpisode(w, m.Episode);
                    w.Write(m.Inference.Requests); w.Write(m.Inference.ProposerCalls); w.Write(m.Inference.ValueCalls);
                    break;
                case JobFailed m: w.Write(m.JobId); w.Write(m.Error); break;
                case FetchChunk m: w.Write(m.CheckpointId); w.Write(m.Sha256); w.Write(m.Index); break;
                case CheckpointChunk m: w.Write(m.CheckpointId); w.Write(m.Index); w.Write(m.Count); w.Write(m.Bytes.Length); w.Write(m.Bytes); break;
                case ChunkRefused m: w.Write(m.CheckpointId); w.Write(m.Reason); break;
                case RunEnded: break;
                default: throw new SerializationException($"{obj.GetType().Name} is not a message of the loop's protocol");
            }
        }
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var r = new Reader(bytes);
        object message = manifest switch
        {
            Register => new RegisterNode(r.Int(), r.NullableString(), r.String(), r.Int()),
            Registered => new NodeRegistered(r.String(), r.String()),
            Refused => new NodeRefused(r.String()),
            Request => new RequestJobs(r.Int()),
            Offer => new JobOffer(r.Long(), ReadTask(r), r.String(), ReadPlan(r), r.Int(), r.Int(), ReadCheckpoint(r)),
            Done => new JobDone(r.Long(), ReadEpisode(r), new InferenceCounts(r.Long(), r.Long(), r.Long())),
            Failed => new JobFailed(r.Long(), r.String()),
            Fetch => new FetchChunk(r.String(), r.String(), r.Int()),
            Chunk => new CheckpointChunk(r.String(), r.Int(), r.Int(), r.Bytes()),
            ChunkNo => new ChunkRefused(r.String(), r.String()),
            End => new RunEnded(),
            _ => throw new SerializationException($"unknown message manifest '{manifest}': refused"),
        };
        r.EnsureEnd(manifest);
        return message;
    }

    private static JobTask ReadTask(Reader r) => r.Int() switch
    {
        0 => JobTask.Training,
        1 => JobTask.HeldOut,
        2 => JobTask.SelfPlay,
        var other => throw new SerializationException($"unknown job task {other}"),
    };

    private static void WriteCheckpoint(BinaryWriter w, CheckpointRef checkpoint)
    {
        w.Write(checkpoint.Id); w.Write(checkpoint.Sha256); w.Write(checkpoint.Length);
        w.Write(checkpoint.Companion is not null);
        if (checkpoint.Companion is { } companion)
        {
            if (companion.Companion is not null) throw new SerializationException("a checkpoint's companion has no companion of its own");
            WriteCheckpoint(w, companion);
        }
    }

    private static CheckpointRef ReadCheckpoint(Reader r, bool companion = true)
    {
        var checkpoint = new CheckpointRef(r.String(), r.String(), r.Long());
        if (!r.Bool()) return checkpoint;
        if (!companion) throw new SerializationException("a checkpoint's companion has no companion of its own");
        return checkpoint with { Companion = ReadCheckpoint(r, companion: false) };
    }

    private static void WritePlan(BinaryWriter w, PlanSpec plan)
    {
        w.Write(plan.Label);
        w.Write(plan.Method);
        w.Write(plan.Options.Count);
        foreach (var (key, value) in plan.Options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            w.Write(key);
            w.Write(value);
        }
        var b = plan.Budget;
        WriteNullable(w, b.MaxGeneratedTokens);
        WriteNullable(w, b.MaxForwardTokens);
        WriteNullable(w, b.MaxValueEvaluations);
        WriteNullable(w, b.MaxNodes);
        WriteNullable(w, b.MaxWallTime?.Ticks);
        w.Write(b.MaxStepTokens);
        w.Write(plan.ScoresStates);
    }

    private static PlanSpec ReadPlan(Reader r)
    {
        string label = r.String(), method = r.String();
        var options = new Dictionary<string, string>();
        for (int i = 0, n = r.Count(); i < n; i++) options[r.String()] = r.String();
        long? ticks;
        var budget = new SearchBudget(r.NullableLong(), r.NullableLong(), r.NullableLong(), (int?)r.NullableLong(),
            (ticks = r.NullableLong()) is { } t ? TimeSpan.FromTicks(t) : null, r.Int());
        return new PlanSpec(label, method, options, budget, r.Bool());
    }

    private static void WriteEpisode(BinaryWriter w, EpisodeReport e)
    {
        w.Write(e.Method);
        WriteCompletion(w, e.Chosen);
        w.Write(e.Candidates.Count);
        foreach (var c in e.Candidates) WriteCompletion(w, c);
        w.Write(e.VisitTargets.Count);
        foreach (var v in e.VisitTargets)
        {
            w.Write(v.Node);
            WriteStrings(w, v.Steps);
            WriteStrings(w, v.ChildSteps);
            w.Write(v.Visits.Count);
            foreach (int visits in v.Visits) w.Write(visits);
            w.Write(v.Probabilities.Count);
            foreach (float p in v.Probabilities) w.Write(p);
            w.Write(v.Chosen);
        }
        var s = e.Spent;
        w.Write(s.GeneratedTokens); w.Write(s.ForwardTokens); w.Write(s.ProposerCalls); w.Write(s.ValueCalls);
        w.Write(s.ValueEvaluations); w.Write(s.Nodes); w.Write(s.WallTime.Ticks);
        w.Write(e.Worker);
        w.Write(e.Checkpoint);
        var states = e.ScoredStates ?? [];
        w.Write(states.Count);
        foreach (var state in states)
        {
            w.Write(state.Depth); w.Write(state.Finished); w.Write(state.Value); w.Write(state.Solvable);
        }
    }

    private static EpisodeReport ReadEpisode(Reader r)
    {
        string method = r.String();
        var chosen = ReadCompletion(r);
        var candidates = new List<ScoredCompletion>();
        for (int i = 0, n = r.Count(); i < n; i++) candidates.Add(ReadCompletion(r));
        var targets = new List<VisitTarget>();
        for (int i = 0, n = r.Count(); i < n; i++)
        {
            int node = r.Int();
            var steps = r.Strings();
            var childSteps = r.Strings();
            var visits = new List<int>();
            for (int k = 0, m = r.Count(); k < m; k++) visits.Add(r.Int());
            var probabilities = new List<float>();
            for (int k = 0, m = r.Count(); k < m; k++) probabilities.Add(r.Float());
            targets.Add(new VisitTarget(node, steps, childSteps, visits, probabilities, r.Int()));
        }
        var spent = new ComputeSpent(r.Long(), r.Long(), r.Int(), r.Int(), r.Long(), r.Int(), TimeSpan.FromTicks(r.Long()));
        int worker = r.Int();
        string checkpoint = r.String();
        var states = new List<ScoredState>();
        for (int i = 0, n = r.Count(); i < n; i++) states.Add(new ScoredState(r.Int(), r.Bool(), r.Float(), r.Bool()));
        return new EpisodeReport(method, chosen, candidates, targets, spent, worker, checkpoint, states.Count > 0 ? states : null);
    }

    private static void WriteCompletion(BinaryWriter w, ScoredCompletion c)
    {
        w.Write(c.Completion);
        w.Write(c.Reward);
        w.Write(c.Correct);
        WriteNullable(w, c.Answer);
        w.Write(c.Score);
    }

    private static ScoredCompletion ReadCompletion(Reader r) => new(r.String(), r.Double(), r.Bool(), r.NullableString(), r.Double());

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var value in values) w.Write(value);
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static void WriteNullable(BinaryWriter w, long? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    /// <summary>Reads the layout back, refusing what does not fit the bytes instead of allocating what a peer claims.</summary>
    private sealed class Reader(byte[] bytes) : IDisposable
    {
        private readonly BinaryReader _reader = new(new MemoryStream(bytes, writable: false), Encoding.UTF8);

        private long Left => _reader.BaseStream.Length - _reader.BaseStream.Position;

        public int Int() => Guard(_reader.ReadInt32);
        public long Long() => Guard(_reader.ReadInt64);
        public float Float() => Guard(_reader.ReadSingle);
        public double Double() => Guard(_reader.ReadDouble);
        public bool Bool() => Guard(_reader.ReadBoolean);
        public string String() => Guard(_reader.ReadString);
        public string? NullableString() => Bool() ? String() : null;
        public long? NullableLong() => Bool() ? Long() : null;

        /// <summary>A count of items that each take at least one byte: more than the bytes left is a forged frame.</summary>
        public int Count()
        {
            int count = Int();
            if (count < 0 || count > Left) throw new SerializationException($"a count of {count} with {Left} bytes left: refused");
            return count;
        }

        public byte[] Bytes()
        {
            int count = Count();
            return Guard(() => _reader.ReadBytes(count));
        }

        public List<string> Strings()
        {
            var values = new List<string>();
            for (int i = 0, n = Count(); i < n; i++) values.Add(String());
            return values;
        }

        public void EnsureEnd(string manifest)
        {
            if (Left != 0) throw new SerializationException($"{Left} bytes after the end of a '{manifest}' message: refused");
        }

        public void Dispose() => _reader.Dispose();

        private static T Guard<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception error) when (error is EndOfStreamException or FormatException or IOException)
            {
                throw new SerializationException("a message shorter than its layout: refused", error);
            }
        }
    }
}

/// <summary>
/// Stands where Akka's type-naming JSON serializer stood (the default for any type without a binding): nothing is
/// serialized or deserialized through it. A message that is not one of the loop's reaches a peer only by mistake or
/// by attack; either way it is refused here, at both ends.
/// </summary>
internal sealed class RefusingSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>Akka passes the JSON serializer's settings (<c>serialization-settings.json</c>) to whatever stands in its slot.</summary>
    public RefusingSerializer(ExtendedActorSystem system, Akka.Configuration.Config settings) : this(system)
    {
    }

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new SerializationException($"{obj.GetType().FullName} may not cross nodes: only the loop's messages are serialized");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new SerializationException("a message for a serializer that accepts nothing (a type name from the wire): refused");
}
