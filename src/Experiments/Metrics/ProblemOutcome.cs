namespace Reasoner.Experiments.Metrics;

/// <summary>One problem's result under one method in one iteration's evaluation: what the paired tests are built from.</summary>
public sealed record ProblemOutcome(int Iteration, string Method, string ProblemId, bool Correct);
