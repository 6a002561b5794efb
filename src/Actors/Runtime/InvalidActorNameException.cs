namespace Reasoner.Actors.Runtime;

/// <summary>A child name that is empty, contains '/', starts with '$' (reserved for generated names) or is
/// already taken by a living sibling.</summary>
internal sealed class InvalidActorNameException(string message) : ArgumentException(message);
