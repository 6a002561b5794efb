using System.Collections.Concurrent;
using Reasoner.Actors.SelfImprovement;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>Keeps what the loop reported, for the tests to count.</summary>
internal sealed class RecordingObserver : ILoopObserver
{
    public ConcurrentQueue<LoopProgress> Progressed { get; } = new();
    public ConcurrentQueue<string> Notes { get; } = new();
    public ConcurrentQueue<(string Template, object[] Values)> Values { get; } = new();

    public void Progress(LoopProgress progress) => Progressed.Enqueue(progress);

    public void Note(string messageTemplate, params object[] values)
    {
        Values.Enqueue((messageTemplate, values));
        Notes.Enqueue(messageTemplate);
    }
}
