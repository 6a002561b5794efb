using System.Runtime.Serialization;
using Akka.Serialization;
using Reasoner.Actors.Cluster;
using Reasoner.Actors.Hosting;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Search;

namespace Reasoner.Actors.Tests.Cluster;

/// <summary>Every message that crosses nodes goes through the loop's serializer and comes back the same; anything else is refused.</summary>
public sealed class LoopSerializerTests() : Akka.TestKit.Xunit2.TestKit(AkkaConfig.Embedded())
{
    private static readonly ComputeSpent Spent = new(120, 480, 7, 3, 21, 15, TimeSpan.FromMilliseconds(12.5));

    public static TheoryData<string> Messages() => [.. Samples().Keys];

    private static Dictionary<string, object> Samples() => new()
    {
        ["register"] = new RegisterNode(LoopProtocol.Version, "quickstart", "box/41", 4),
        ["register-any"] = new RegisterNode(LoopProtocol.Version, null, "box/42", 1),
        ["registered"] = new NodeRegistered("quickstart", "name: quickstart\ntask:\n  name: countdown\n"),
        ["refused"] = new NodeRefused("it serves experiment 'a'; this head runs 'b'"),
        ["request"] = new RequestJobs(3),
        ["offer"] = new JobOffer(77, JobTask.HeldOut, """{"numbers":[4,4,6,8],"target":24}""",
            new PlanSpec("mcts", "mcts", new Dictionary<string, string> { ["simulations"] = "32", ["c-puct"] = "1.25" },
                new SearchBudget(MaxGeneratedTokens: 500, MaxWallTime: TimeSpan.FromSeconds(2), MaxStepTokens: 48), ScoresStates: true),
            -12345, 2, new CheckpointRef("iteration-2.safetensors", new string('a', 64), 1_234_567,
                new CheckpointRef("iteration-2.value.safetensors", new string('b', 64), 7_654_321))),
        ["offer-unlimited"] = new JobOffer(1, JobTask.Training, "{}", new PlanSpec("system1", "greedy", new Dictionary<string, string>(), SearchBudget.Unlimited),
            0, 0, new CheckpointRef("iteration-0.safetensors", new string('0', 64), 1)),
        ["offer-self-play"] = new JobOffer(2, JobTask.SelfPlay, """{"numbers":[1,2,3,4],"target":24}""",
            new PlanSpec("best-of-n", "best-of-n", new Dictionary<string, string> { ["samples"] = "64" }, SearchBudget.Unlimited),
            7, 3, new CheckpointRef("iteration-2.safetensors", new string('c', 64), 99)),
        ["done"] = new JobDone(78, new EpisodeReport("mcts", new ScoredCompletion("4 + 8 = 12 (left: 4 6 12)\nAnswer: (6 - 4) * (4 + 8) = 24", 1, true, "24"),
            [new ScoredCompletion("Answer: 1 + 1 = 2", 0.1, false, "2", 0.375), new ScoredCompletion("", 0, false)],
            [new VisitTarget(0, [], ["4 + 8 = 12 (left: 4 6 12)", "4 * 6 = 24 (left: 4 8 24)"], [5, 3], [0.625f, 0.375f], 0),
             new VisitTarget(3, ["4 + 8 = 12 (left: 4 6 12)"], ["Answer: (6 - 4) * (4 + 8) = 24"], [8], [1f], 0)], Spent, 1, "iteration-1.safetensors",
            [new Reasoner.Experiments.Evaluation.ScoredState(1, false, 0.25f, true), new Reasoner.Experiments.Evaluation.ScoredState(2, true, float.NaN, false)]),
            new InferenceCounts(40, 12, 9)),
        ["failed"] = new JobFailed(79, "inference on iteration-1.safetensors failed: out of memory"),
        ["fetch"] = new FetchChunk("iteration-1.safetensors", new string('f', 64), 2),
        ["chunk"] = new CheckpointChunk("iteration-1.safetensors", 2, 5, [1, 2, 3, 255, 0]),
        ["chunk-refused"] = new ChunkRefused("../etc/passwd", "not a checkpoint name"),
        ["run-ended"] = new RunEnded(),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void EveryCrossNodeMessageRoundTripsThroughTheLoopSerializer(string name)
    {
        var message = Samples()[name];
        var serializer = Assert.IsType<LoopSerializer>(Sys.Serialization.FindSerializerFor(message));
        Assert.Equal(LoopSerializer.Id, serializer.Identifier);
        string manifest = serializer.Manifest(message);
        Assert.DoesNotContain(message.GetType().Name, manifest); // our own short names, never .NET type names
        byte[] bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, manifest);

        Assert.IsType(message.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back)); // every field made it (lists and maps included)
        if (message is not (JobOffer or JobDone or CheckpointChunk)) Assert.Equal(message, back); // flat records compare by value
    }

    [Fact]
    public void AnEpisodeComesBackWithEveryFieldAndFloatExactly()
    {
        var done = (JobDone)Samples()["done"];
        var serializer = (LoopSerializer)Sys.Serialization.FindSerializerFor(done);
        var back = (JobDone)serializer.FromBinary(serializer.ToBinary(done), serializer.Manifest(done));
        Assert.Equal((78L, new InferenceCounts(40, 12, 9)), (back.JobId, back.Inference));
        Assert.Equal(done.Episode.Chosen, back.Episode.Chosen);
        Assert.Equal(done.Episode.Candidates, back.Episode.Candidates); // answers (majority votes) and scores (value AUC) too
        Assert.Equal(("2", 0.375), (back.Episode.Candidates[0].Answer, back.Episode.Candidates[0].Score));
        Assert.True(double.IsNaN(back.Episode.Candidates[1].Score));
        Assert.Equal(Spent, back.Episode.Spent);
        Assert.Equal([0.625f, 0.375f], back.Episode.VisitTargets[0].Probabilities);
        Assert.Equal(["4 + 8 = 12 (left: 4 6 12)"], back.Episode.VisitTargets[1].Steps);
        var offer = (JobOffer)Samples()["offer"];
        var offerBack = (JobOffer)serializer.FromBinary(serializer.ToBinary(offer), serializer.Manifest(offer));
        Assert.Equal(offer.Plan.Budget, offerBack.Plan.Budget);
        Assert.Equal(offer.Plan.Options.OrderBy(o => o.Key), offerBack.Plan.Options.OrderBy(o => o.Key));
        Assert.Equal(offer.Checkpoint, offerBack.Checkpoint); // with its companion, the separate value network
        Assert.True(offerBack.Plan.ScoresStates);
        Assert.Equal(done.Episode.ScoredStates, back.Episode.ScoredStates);
    }

    [Fact]
    public void UnknownManifestsForgedCountsAndTrailingBytesAreRefused()
    {
        var request = new RequestJobs(2);
        var serializer = (LoopSerializer)Sys.Serialization.FindSerializerFor(request);
        var bytes = serializer.ToBinary(request);
        Assert.Contains("unknown", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "System.Diagnostics.Process")).Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "req"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..2], "req"));
        // A chunk that claims two billion bytes in a frame of a few: refused before anything is allocated.
        var chunk = serializer.ToBinary(new CheckpointChunk("c", 0, 1, [9]));
        BitConverter.TryWriteBytes(chunk.AsSpan(chunk.Length - 5, 4), int.MaxValue);
        Assert.Contains("count", Assert.Throws<SerializationException>(() => serializer.FromBinary(chunk, "chunk")).Message);
        Assert.Throws<SerializationException>(() => serializer.Manifest("a string"));
    }

    [Fact]
    public void TypesOutsideTheProtocolFindOnlyTheRefusingSerializer()
    {
        // Akka's type-naming JSON serializer is gone from its slot (and its identifier): nothing else crosses nodes.
        var stranger = new Uri("http://example.invalid/");
        var serializer = Sys.Serialization.FindSerializerFor(stranger);
        Assert.IsType<RefusingSerializer>(serializer);
        // A frame that names the JSON serializer's identifier and a type reaches the refusal, not a type lookup.
        Assert.ThrowsAny<SerializationException>(() => Sys.Serialization.Deserialize([1, 2, 3], 1, "System.Uri, System.Private.Uri"));
        Assert.Throws<SerializationException>(() => serializer.ToBinary(stranger));
        Assert.Throws<SerializationException>(() => serializer.FromBinary([1, 2, 3], typeof(Uri)));
    }
}
