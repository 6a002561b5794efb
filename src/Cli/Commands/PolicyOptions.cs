using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Cli.Commands;

/// <summary>
/// What <c>eval</c> and <c>solve</c> share: a checkpoint and task, a search method with its options, and a budget
/// (generated tokens and/or wall time per problem).
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string> Checkpoint { get; } = new("--checkpoint") { Description = "Policy checkpoint (.safetensors) with its value head and alphabet.", Required = true };
    public Option<string?> Value { get; } = new("--value") { Description = "Separate value network checkpoint (train value --separate) for the searches; default: the policy checkpoint's own value head." };
    public Option<string> Task { get; } = new("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)}.", Required = true };
    public Option<string> Search { get; } = new("--search") { Description = $"Search method: {string.Join("|", SearchFactory.Methods)}." };
    public Option<string[]> SearchOptions { get; } = new("--option") { Description = "key=value option of the --search method (repeatable), e.g. simulations=128, c-puct=1.5." };
    public Option<long?> BudgetTokens { get; } = new("--budget-tokens") { Description = "Generated tokens per problem, the same for every method (equal-compute comparison)." };
    public Option<double?> ThinkSeconds { get; } = new("--think-seconds") { Description = "Wall time per problem, checked between policy calls." };
    public Option<int> MaxStepTokens { get; } = new("--max-step-tokens") { Description = "Longest step (line) the policy may generate.", DefaultValueFactory = _ => 64 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the searches (the same for every method).", DefaultValueFactory = _ => 0 };
    public Option<int> Threads { get; } = new("--threads") { Description = "Worker threads of the model.", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<int> Slots { get; } = new("--slots") { Description = "KV-cache slots to start with (the cache doubles when a search needs more).", DefaultValueFactory = _ => 256 };

    /// <summary>The task's difficulty, as the policy was trained on it (eval draws its problems with these options).</summary>
    public TaskDifficultyOptions Difficulty { get; } = new();

    public PolicyOptions(string defaultSearch) => Search.DefaultValueFactory = _ => defaultSearch;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Checkpoint, Value, Task, Search, SearchOptions, BudgetTokens, ThinkSeconds, MaxStepTokens, Seed, Threads, Slots })
            command.Options.Add(option);
        Difficulty.AddTo(command);
    }

    public ITask BuildTask(ParseResult parse)
    {
        var name = parse.GetValue(Task)!;
        try
        {
            return TaskCatalog.Create(name, Difficulty.Read(parse));
        }
        catch (ArgumentException error)
        {
            throw new UserInputException($"--task: {error.Message}", error);
        }
    }

    public MethodSpec Method(ParseResult parse) => MethodSpec.Of(parse.GetValue(Search)!, parse.GetValue(SearchOptions) ?? []);

    public SearchBudget Budget(ParseResult parse)
    {
        var tokens = parse.GetValue(BudgetTokens);
        var seconds = parse.GetValue(ThinkSeconds);
        var stepTokens = parse.GetValue(MaxStepTokens);
        if (tokens is < 1) throw new UserInputException($"--budget-tokens must be positive, not {tokens}");
        if (seconds is { } s && !(s > 0)) throw new UserInputException($"--think-seconds must be positive, not {s.ToString(CultureInfo.InvariantCulture)}");
        if (stepTokens < 1) throw new UserInputException($"--max-step-tokens must be positive, not {stepTokens}");
        return new SearchBudget(MaxGeneratedTokens: tokens, MaxWallTime: seconds is { } t ? TimeSpan.FromSeconds(t) : null, MaxStepTokens: stepTokens);
    }

    /// <summary>The searches' value model: the policy's own head, or the --value network reading the proposer's states.</summary>
    public IValueEstimator ValueEstimator(ParseResult parse, ITask task, PolicyProposer proposer, WorkerPool pool)
    {
        if (parse.GetValue(Value) is not { } path) return new PolicyValueEstimator(proposer);
        var (model, tokenizer) = Load(path, task);
        if (!tokenizer.Alphabet.SequenceEqual(proposer.Tokenizer.Alphabet))
            throw new InvalidDataException($"{path}: its alphabet differs from the policy's ({parse.GetValue(Checkpoint)}): the value network must read the policy's tokens");
        try
        {
            return new ValueNetworkEstimator(model, proposer, pool);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>Loads the checkpoint; a file without an alphabet takes the task's, when the vocabularies agree.</summary>
    public (Gpt Model, Tokenizer Tokenizer) Load(ParseResult parse, ITask task) => Load(parse.GetValue(Checkpoint)!, task);

    static (Gpt Model, Tokenizer Tokenizer) Load(string path, ITask task)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        var loaded = Policy.Checkpoint.Load(path);
        var tokenizer = loaded.Tokenizer ?? TaskTokenizer.For(task);
        if (tokenizer.VocabSize != loaded.Model.Config.Vocab)
            throw new InvalidDataException($"{path}: the model's vocab is {loaded.Model.Config.Vocab} but task {task.Name}'s alphabet gives {tokenizer.VocabSize} tokens");
        var missing = task.Alphabet.Where(c => c != '\n' && !tokenizer.Alphabet.Contains(c)).Distinct().ToArray();
        if (missing.Length > 0) throw new InvalidDataException($"{path}: its alphabet lacks task {task.Name}'s characters '{new string(missing)}'");
        return (loaded.Model, tokenizer);
    }

    public WorkerPool Pool(ParseResult parse)
    {
        var threads = parse.GetValue(Threads);
        if (threads < 1) throw new UserInputException($"--threads must be positive, not {threads}");
        return new WorkerPool(threads);
    }
}
