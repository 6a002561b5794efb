namespace Reasoner.Actors.Runtime;

/// <summary>An <c>Ask</c> got no reply within its timeout.</summary>
internal sealed class AskTimeoutException(string message) : TimeoutException(message);
