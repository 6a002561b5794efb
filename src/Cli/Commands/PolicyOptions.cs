using System.CommandLine;
using System.Globalization;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Search;
using Reasoner.Tensors;

namespace Reasoner.Cli.Commands;

/// <summary>The policy a command searches with, its tokenizer, and the task it works on.</summary>
internal sealed record LoadedPolicy(Gpt Model, Tokenizer Tokenizer, ITask Task);

/// <summary>
/// What <c>eval</c> and <c>solve</c> share: a checkpoint and task (by default the one the checkpoint records), a search
/// method with its options, and a budget (generated tokens and/or wall time per problem).
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "Policy checkpoint (.safetensors) with its value head and alphabet." };
    public Option<string?> Value { get; } = new("--value") { Description = "Separate value network checkpoint (train value --separate) for the searches; default: the policy checkpoint's own value head." };
    public Option<string?> Task { get; } = new("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)} (default: the one the checkpoint was trained on, with its difficulty)." };
    public TaskDifficultyOptions Difficulty { get; } = new();
    public Option<string> Search { get; } = new("--search") { Description = $"Search method: {string.Join("|", SearchFactory.Methods)}." };
    public Option<string[]> SearchOptions { get; } = new("--option") { Description = "key=value option of the --search method (repeatable), e.g. simulations=128, c-puct=1.5." };
    public Option<long?> BudgetTokens { get; } = new("--budget-tokens") { Description = "Generated tokens per problem, the same for every method (equal-compute comparison)." };
    public Option<double?> ThinkSeconds { get; } = new("--think-seconds") { Description = "Wall time per problem, checked between policy calls." };
    public Option<int> MaxStepTokens { get; } = new("--max-step-tokens") { Description = "Longest step (line) the policy may generate.", DefaultValueFactory = _ => 64 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the searches (the same for every method).", DefaultValueFactory = _ => 0 };
    public Option<int> Threads { get; } = new("--threads") { Description = "Worker threads of the model.", DefaultValueFactory = _ => Environment.ProcessorCount };
    public Option<int> Slots { get; } = new("--slots") { Description = "KV-cache slots to start with (the cache doubles when a search needs more).", DefaultValueFactory = _ => 256 };

    public PolicyOptions(string defaultSearch) => Search.DefaultValueFactory = _ => defaultSearch;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Checkpoint, Value, Task, Search, SearchOptions, BudgetTokens, ThinkSeconds, MaxStepTokens, Seed, Threads, Slots })
            command.Options.Add(option);
        Difficulty.AddTo(command);
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

    /// <summary>The searches' value model: the policy's own head, or the --value network (or <paramref name="valuePath"/>,
    /// a run's own) reading the proposer's states.</summary>
    public IValueEstimator ValueEstimator(ParseResult parse, ITask task, PolicyProposer proposer, WorkerPool pool, string? valuePath = null)
    {
        if ((parse.GetValue(Value) ?? valuePath) is not { } path) return new PolicyValueEstimator(proposer);
        var checkpoint = ReadCheckpoint(path).Checkpoint;
        var (model, tokenizer) = WithTokenizer(path, checkpoint, task);
        if (!tokenizer.Alphabet.SequenceEqual(proposer.Tokenizer.Alphabet))
            throw new InvalidDataException($"{path}: its alphabet differs from the policy's ({parse.GetValue(Checkpoint)}): the value network must read the policy's tokens");
        // A network that learned step checks (imitation.checker_steps) is read with them, as the run's searches read it.
        try
        {
            return new ValueNetworkEstimator(model, proposer, pool, checks: ValueChecks.Of(checkpoint.Metadata, task));
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Loads --checkpoint and the task to work on: the one it records unless --task or a difficulty option says otherwise
    /// (each difference logged as a warning); a checkpoint that records none needs --task.
    /// </summary>
    public LoadedPolicy Load(ParseResult parse, Serilog.ILogger log)
    {
        var path = parse.GetValue(Checkpoint) ?? throw new UserInputException("give the policy with --checkpoint");
        var (checkpoint, recorded) = ReadCheckpoint(path);
        var spec = TaskDifficultyOptions.ForCheckpoint(path, recorded, parse.GetValue(Task), Difficulty.Read(parse), log);
        var task = TaskDifficultyOptions.CreateTask(spec);
        var (model, tokenizer) = WithTokenizer(path, checkpoint, task);
        return new LoadedPolicy(model, tokenizer, task);
    }

    /// <summary>Loads <paramref name="path"/> to search <paramref name="task"/>, which its alphabet must cover.</summary>
    public static LoadedPolicy Load(string path, ITask task)
    {
        var (model, tokenizer) = WithTokenizer(path, ReadCheckpoint(path).Checkpoint, task);
        return new LoadedPolicy(model, tokenizer, task);
    }

    static (LoadedCheckpoint Checkpoint, TaskSpec? Task) ReadCheckpoint(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist", path);
        return TaskCheckpoint.Load(path);
    }

    /// <summary>The checkpoint's tokenizer, or for a file without an alphabet the task's, when the vocabularies agree; the
    /// task's characters must all be readable.</summary>
    static (Gpt Model, Tokenizer Tokenizer) WithTokenizer(string path, LoadedCheckpoint loaded, ITask task)
    {
        var tokenizer = loaded.Tokenizer ?? TaskTokenizer.For(task);
        if (tokenizer.VocabSize != loaded.Model.Config.Vocab)
            throw new InvalidDataException($"{path}: the model's vocab is {loaded.Model.Config.Vocab} but task {task.Name}'s alphabet gives {tokenizer.VocabSize} tokens");
        var missing = task.Alphabet.Where(c => c != '\n' && !tokenizer.Alphabet.Contains(c)).Distinct().ToArray();
        if (missing.Length > 0)
            throw new UserInputException($"task {task.Name} writes characters '{new string(missing)}' that the policy of {path} cannot read");
        return (loaded.Model, tokenizer);
    }

    public WorkerPool Pool(ParseResult parse)
    {
        var threads = parse.GetValue(Threads);
        if (threads < 1) throw new UserInputException($"--threads must be positive, not {threads}");
        return new WorkerPool(threads);
    }
}
