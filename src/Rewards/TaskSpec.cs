namespace Reasoner.Rewards;

/// <summary>
/// A task by name with its difficulty options: what a checkpoint records of the task it was trained on, so that
/// <c>eval</c>, <c>solve</c> and <c>train value</c> rebuild that task rather than the task's defaults.
/// </summary>
public sealed record TaskSpec(string Name, TaskOptions Options)
{
    /// <summary>Throws <see cref="ArgumentException"/> as <see cref="TaskCatalog.Create"/> does.</summary>
    public ITask Create() => TaskCatalog.Create(Name, Options);

    /// <summary>The same task with every option at the value the task uses (<see cref="TaskCatalog.Resolve"/>).</summary>
    public TaskSpec Resolved() => this with { Options = TaskCatalog.Resolve(Name, Options) };

    /// <summary>
    /// The task a command runs when its command line names <paramref name="name"/> (null: this one) and sets
    /// <paramref name="given"/>: this spec with the given options in place of its own, or, for another task, that task with
    /// only the given options. <paramref name="differences"/> says, one line each, where it differs from this spec: the
    /// task, or each option whose value (as the task uses it) changed. Throws <see cref="ArgumentException"/> when the
    /// result is not a valid task.
    /// </summary>
    public TaskSpec Overridden(string? name, TaskOptions given, out IReadOnlyList<string> differences)
    {
        if (name is not null && name != Name)
        {
            var other = new TaskSpec(name, given).Resolved();
            differences = [$"--task {name} differs from the checkpoint's task, {Resolved()}"];
            return other;
        }
        var spec = new TaskSpec(Name, Options.OverriddenBy(given)).Resolved();
        // Compared as the task uses them: --digits 4 on a checkpoint of 3 digits changes right-digits too, which says nothing new.
        differences = TaskCatalog.Effective(Name, spec.Options).Values().Zip(TaskCatalog.Effective(Name, Options).Values())
            .Where(pair => pair.First.Value != pair.Second.Value && given.Values().Any(g => g.Name == pair.First.Name && g.Value is not null))
            .Select(pair => $"--{pair.First.Name} {pair.First.Value} differs from the checkpoint's --{pair.Second.Name} {pair.Second.Value}")
            .ToList();
        return spec;
    }

    /// <summary>As the command line writes it: <c>countdown --numbers 3 --max-number 9</c>.</summary>
    public override string ToString() => Options.ToString() is { Length: > 0 } options ? $"{Name} {options}" : Name;
}
