namespace Reasoner.Actors.Runtime;

/// <summary>A parent's count of one child's restarts inside the current retry window.</summary>
internal sealed class ChildRestartStats
{
    private DateTimeOffset? _windowStart;

    public int RestartsInWindow { get; private set; }

    /// <summary>Counts one more restart at <paramref name="now"/>; false when it exceeds the strategy's limit.</summary>
    public bool TryCountRestart(OneForOneStrategy strategy, DateTimeOffset now)
    {
        if (strategy.WithinTimeRange is { } window && (_windowStart is null || now - _windowStart > window))
        {
            _windowStart = now;
            RestartsInWindow = 0;
        }
        RestartsInWindow++;
        return strategy.MaxRetries is not { } max || RestartsInWindow <= max;
    }
}
