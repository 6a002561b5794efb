namespace Reasoner.Experiments.Tests;

/// <summary>A fresh folder under the system temp path, deleted with its contents on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("reasoner-experiments-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A clock stopped at a given instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
