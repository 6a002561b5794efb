using System.Security.Cryptography;
using Akka.Actor;

namespace Reasoner.Actors.Cluster;

/// <summary>
/// Checkpoints as bytes: the head's <see cref="CheckpointStore"/> serves the files of its run's checkpoint folder in
/// chunks, and a worker node's <see cref="CheckpointFetcher"/> pulls them one at a time (so a large checkpoint never
/// floods the connection) and checks the SHA-256 of the whole before anything loads it. No shared filesystem is needed.
/// </summary>
internal static class CheckpointChunks
{
    /// <summary>A chunk per remoting frame, with room to spare under the 1 MiB frame of <see cref="Hosting.AkkaConfig"/>.</summary>
    public const int ChunkBytes = 256 * 1024;

    public static int CountFor(long length) => (int)Math.Max(1, (length + ChunkBytes - 1) / ChunkBytes);

    /// <summary>The reference jobs carry: file name, SHA-256 of the content, size; and the same of the separate value
    /// network beside it (<see cref="SelfImprovement.GptBackend.ValuePath"/>), when there is one.</summary>
    public static CheckpointRef Describe(string path)
    {
        string value = SelfImprovement.GptBackend.ValuePath(path);
        return DescribeFile(path) with { Companion = File.Exists(value) ? DescribeFile(value) : null };
    }

    public static CheckpointRef DescribeFile(string path)
    {
        using var file = File.OpenRead(path);
        return new CheckpointRef(Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(file)), file.Length);
    }
}

/// <summary>Serves the files of one folder (a run's checkpoints/) by name, and nothing outside it.</summary>
internal sealed class CheckpointStore : ReceiveActor
{
    private readonly string _folder;
    // The SHA-256 of each file served, checked once per file and write time: a worker must get the content it asked for.
    private readonly Dictionary<string, (DateTime Written, string Sha256)> _hashes = [];

    public CheckpointStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Receive<FetchChunk>(fetch => Sender.Tell(Serve(fetch), Self));
    }

    private object Serve(FetchChunk fetch)
    {
        // A bare file name only: a peer never names a path.
        if (fetch.CheckpointId.Length == 0 || fetch.CheckpointId != Path.GetFileName(fetch.CheckpointId) || fetch.CheckpointId.StartsWith('.'))
            return new ChunkRefused(fetch.CheckpointId, "not a checkpoint name");
        string path = Path.Combine(_folder, fetch.CheckpointId);
        if (!File.Exists(path)) return new ChunkRefused(fetch.CheckpointId, "no such checkpoint in this run");
        var written = File.GetLastWriteTimeUtc(path);
        if (!_hashes.TryGetValue(fetch.CheckpointId, out var known) || known.Written != written)
            _hashes[fetch.CheckpointId] = known = (written, CheckpointChunks.DescribeFile(path).Sha256);
        if (known.Sha256 != fetch.Sha256) return new ChunkRefused(fetch.CheckpointId, $"its SHA-256 is {known.Sha256}, not {fetch.Sha256}");

        using var file = File.OpenRead(path);
        int count = CheckpointChunks.CountFor(file.Length);
        if (fetch.Index < 0 || fetch.Index >= count) return new ChunkRefused(fetch.CheckpointId, $"no chunk {fetch.Index} of {count}");
        file.Position = (long)fetch.Index * CheckpointChunks.ChunkBytes;
        var bytes = new byte[(int)Math.Min(CheckpointChunks.ChunkBytes, file.Length - file.Position)];
        file.ReadExactly(bytes);
        return new CheckpointChunk(fetch.CheckpointId, fetch.Index, count, bytes);
    }
}

/// <summary>
/// Fetches one checkpoint from a store into <c>cache/SHA256-ID</c>, chunk after chunk, then its companion (if any) into
/// <c>cache/SHA256-COMPANION</c> (the same prefix, so the companion sits where the backend looks for it beside the
/// checkpoint); replies to its parent with <see cref="Fetched"/> once the SHA-256 of every assembled file matches, or
/// <see cref="FetchFailed"/>, then stops.
/// </summary>
internal sealed class CheckpointFetcher : ReceiveActor
{
    private readonly CheckpointRef _checkpoint;
    private readonly IActorRef _store;
    private readonly List<(CheckpointRef File, string Target)> _files = [];
    private int _current;
    private FileStream? _partial;

    public CheckpointFetcher(CheckpointRef checkpoint, IActorRef store, string cacheFolder, TimeSpan chunkTimeout)
    {
        (_checkpoint, _store) = (checkpoint, store);
        Directory.CreateDirectory(cacheFolder);
        _files.Add((checkpoint, Path.Combine(cacheFolder, $"{checkpoint.Sha256}-{checkpoint.Id}")));
        if (checkpoint.Companion is { } companion) _files.Add((companion, Path.Combine(cacheFolder, $"{checkpoint.Sha256}-{companion.Id}")));
        Context.SetReceiveTimeout(chunkTimeout);
        Receive<CheckpointChunk>(OnChunk);
        Receive<ChunkRefused>(refused => Fail($"the head refused {refused.CheckpointId}: {refused.Reason}"));
        Receive<ReceiveTimeout>(_ => Fail($"no chunk within {chunkTimeout.TotalSeconds:0} s"));
    }

    public sealed record Fetched(CheckpointRef Checkpoint, string Path);

    public sealed record FetchFailed(CheckpointRef Checkpoint, string Reason);

    protected override void PreStart() => Start(0);

    protected override void PostStop()
    {
        _partial?.Dispose();
        if (_current < _files.Count) File.Delete(_files[_current].Target + ".partial");
    }

    private void Start(int index)
    {
        _current = index;
        var (file, target) = _files[index];
        _partial = new FileStream(target + ".partial", FileMode.Create, FileAccess.ReadWrite);
        _store.Tell(new FetchChunk(file.Id, file.Sha256, 0));
    }

    private void OnChunk(CheckpointChunk chunk)
    {
        var (file, target) = _files[_current];
        var partial = _partial!;
        long expectedChunks = CheckpointChunks.CountFor(file.Length);
        if (chunk.CheckpointId != file.Id || chunk.Index != partial.Length / CheckpointChunks.ChunkBytes || chunk.Count != expectedChunks
            || partial.Length + chunk.Bytes.Length > file.Length)
        {
            Fail($"chunk {chunk.Index} of {chunk.Count} ({chunk.Bytes.Length} bytes) of {chunk.CheckpointId} does not fit {file.Id} of {file.Length} bytes");
            return;
        }
        partial.Write(chunk.Bytes);
        if (chunk.Index + 1 < chunk.Count)
        {
            _store.Tell(new FetchChunk(file.Id, file.Sha256, chunk.Index + 1));
            return;
        }
        partial.Position = 0;
        string sha = Convert.ToHexStringLower(SHA256.HashData(partial));
        if (sha != file.Sha256 || partial.Length != file.Length)
        {
            Fail($"the SHA-256 of {file.Id} is {sha} ({partial.Length} bytes), not {file.Sha256} ({file.Length} bytes)");
            return;
        }
        partial.Dispose();
        _partial = null;
        File.Move(target + ".partial", target, overwrite: true);
        if (_current + 1 < _files.Count)
        {
            Start(_current + 1);
            return;
        }
        _current = _files.Count;
        Context.Parent.Tell(new Fetched(_checkpoint, _files[0].Target));
        Context.Stop(Self);
    }

    private void Fail(string reason)
    {
        Context.Parent.Tell(new FetchFailed(_checkpoint, $"checkpoint {_checkpoint.Id}: {reason}"));
        Context.Stop(Self);
    }
}
