namespace Reasoner.Experiments.Config;

/// <summary>A problem found by a config record's own checks: the key (relative to the record, e.g. <c>heads</c>; empty for the record as a whole) and what is wrong.</summary>
public readonly record struct ConfigIssue(string Key, string Problem);

/// <summary>
/// A config record with rules across its fields (e.g. <c>d_model</c> divisible by <c>heads</c>). The binder calls
/// <see cref="Validate"/> after building the record and reports the first issue with its file, key path and line.
/// Single-field ranges use <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/> on the parameter instead.
/// </summary>
public interface IValidatedConfig
{
    IEnumerable<ConfigIssue> Validate();
}
