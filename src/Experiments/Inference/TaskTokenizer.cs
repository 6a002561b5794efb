using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Inference;

/// <summary>The tokenizer of a task's alphabet, for a model trained from scratch on it.</summary>
public static class TaskTokenizer
{
    /// <summary>The task's alphabet without the newline, which the tokenizer always has as its step separator.</summary>
    public static Tokenizer For(ITask task) => new(task.Alphabet.Replace("\n", "", StringComparison.Ordinal));
}
