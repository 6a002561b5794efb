using Reasoner.Policy;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Training;

/// <summary>The tokenizer of a task: its alphabet without the newline, which the tokenizer always has as the step separator.</summary>
public static class TaskTokenizer
{
    public static Tokenizer For(ITask task) => new(task.Alphabet.Replace("\n", "", StringComparison.Ordinal));
}
