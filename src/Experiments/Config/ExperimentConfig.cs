using System.ComponentModel.DataAnnotations;

namespace Reasoner.Experiments.Config;

// The records an experiment YAML binds to (experiments/<name>.yaml), drafted from issue 5. Keys are the parameter
// names in snake_case; each default applies when the key is absent. Nested sections and lists take a nullable
// parameter defaulting to null and a non-null property, so `new ExperimentConfig("x", new TaskConfig("game24"))`
// is a complete config and the written-back YAML always has every section.

/// <summary>One experiment: a task, a model, imitation, self-improvement and evaluation.</summary>
public sealed record ExperimentConfig(
    string Name,
    TaskConfig Task,
    // Every random choice of the run derives from this one seed.
    int Seed = 0,
    ModelConfig? Model = null,
    ImitationConfig? Imitation = null,
    SelfImprovementConfig? SelfImprovement = null,
    EvaluationConfig? Evaluation = null,
    // Runs go to <output>/<name>-<yyyyMMdd-HHmmss>/.
    string Output = "results") : IValidatedConfig
{
    public ModelConfig Model { get; init; } = Model ?? new();
    public ImitationConfig Imitation { get; init; } = Imitation ?? new();
    public SelfImprovementConfig SelfImprovement { get; init; } = SelfImprovement ?? new();
    public EvaluationConfig Evaluation { get; init; } = Evaluation ?? new();

    public IEnumerable<ConfigIssue> Validate()
    {
        // The name becomes a directory name.
        if (Name.Length == 0 || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Contains('/') || Name.Contains('\\'))
        {
            yield return new ConfigIssue("name", $"'{Name}' cannot name a run directory: use letters, digits, '-' and '_'");
        }
    }
}

/// <summary>
/// The verifiable task and its generator's options. Options stay a string map until each task has its own record:
/// the task parses them and names the bad one.
/// </summary>
public sealed record TaskConfig(string Name, IReadOnlyDictionary<string, string>? Options = null)
{
    public IReadOnlyDictionary<string, string> Options { get; init; } = Options ?? new Dictionary<string, string>();
}

/// <summary>The GPT policy (with value head). Small by default: the point is many fast iterations on 2-16 cores.</summary>
public sealed record ModelConfig(
    [Range(1, 64)] int Layers = 4,
    [Range(8, 4096)] int DModel = 128,
    [Range(1, 64)] int Heads = 4,
    // Tokens of problem plus reasoning steps; long enough for the longest expert solution of the task.
    [Range(16, 8192)] int Context = 256) : IValidatedConfig
{
    public IEnumerable<ConfigIssue> Validate()
    {
        if (DModel % Heads != 0)
        {
            yield return new ConfigIssue("heads", $"d_model ({DModel}) must be divisible by heads ({Heads})");
        }
    }
}

/// <summary>Stage 1: supervised fine-tuning on expert demonstrations.</summary>
public sealed record ImitationConfig(
    [Range(0, int.MaxValue)] int Demonstrations = 10_000,
    // 0 skips imitation, e.g. to start self-improvement from a checkpoint.
    [Range(0, int.MaxValue)] int Steps = 2_000,
    [Range(1, 65_536)] int Batch = 32,
    [Range(0.0, 1.0)] double Lr = 3e-4);

public enum SelfImprovementAlgorithm
{
    /// <summary>Train on the search's verified-correct trajectories (Anthony et al. 2017; STaR).</summary>
    ExpertIteration,
    /// <summary>Train the policy on MCTS visit distributions and the value on outcomes (Silver et al. 2017).</summary>
    AlphaZero,
    /// <summary>Group-relative policy optimisation over sampled groups (Shao et al. 2024); no value model needed.</summary>
    Grpo,
}

/// <summary>Stage 2: iterations of search, verify, train.</summary>
public sealed record SelfImprovementConfig(
    SelfImprovementAlgorithm Algorithm = SelfImprovementAlgorithm.ExpertIteration,
    // 0 stops after imitation: the System-1 baseline run.
    [Range(0, 10_000)] int Iterations = 5,
    [Range(1, int.MaxValue)] int ProblemsPerIteration = 512,
    SearchConfig? Search = null,
    [Range(1, 1024)] int Workers = 2,
    [Range(0, int.MaxValue)] int StepsPerIteration = 500,
    [Range(1, 65_536)] int Batch = 32,
    [Range(0.0, 1.0)] double Lr = 1e-4,
    // Promote a new checkpoint only if it beats the current one on a gating set (AlphaGo Zero's arena); off lets
    // every iteration through, as AlphaZero does.
    bool Gating = true)
{
    public SearchConfig Search { get; init; } = Search ?? new();
}

public enum SearchMethod { System1, SelfConsistency, BestOfN, Beam, TotBfs, TotDfs, Mcts }

/// <summary>A search method and the settings of each; only the chosen method's section is used.</summary>
public sealed record SearchConfig(
    SearchMethod Method = SearchMethod.Mcts,
    // Samples for self-consistency and best-of-n.
    [Range(1, 1024)] int Samples = 8,
    BeamConfig? Beam = null,
    TreeOfThoughtConfig? Tot = null,
    MctsConfig? Mcts = null)
{
    public BeamConfig Beam { get; init; } = Beam ?? new();
    public TreeOfThoughtConfig Tot { get; init; } = Tot ?? new();
    public MctsConfig Mcts { get; init; } = Mcts ?? new();
}

public sealed record BeamConfig([Range(1, 1024)] int Width = 4, [Range(1, 1024)] int ExpansionsPerNode = 4);

/// <summary>Tree of Thoughts (Yao et al. 2023): propose steps, score states with the value model, keep the best.</summary>
public sealed record TreeOfThoughtConfig(
    [Range(1, 1024)] int Breadth = 5,
    [Range(1, 1024)] int ProposalsPerState = 3,
    // DFS backtracks from states the value model scores below this.
    [Range(0.0, 1.0)] double PruneBelow = 0.2);

public sealed record MctsConfig(
    [Range(1, 100_000)] int Simulations = 64,
    // PUCT exploration constant (Silver et al. 2017); AlphaZero's chess/shogi/Go value.
    [Range(0.0, 100.0)] double CPuct = 1.25,
    // Root noise: Dir(alpha) mixed in with weight fraction, only during self-improvement, never in evaluation.
    [Range(0.0, 100.0)] double DirichletAlpha = 0.3,
    [Range(0.0, 1.0)] double DirichletFraction = 0.25,
    // Visit-count temperature for the training target; 0 takes the most visited step.
    [Range(0.0, 100.0)] double Temperature = 1.0);

/// <summary>Evaluation on the held-out split after imitation and after each iteration.</summary>
public sealed record EvaluationConfig(
    string Split = "test",
    [Range(1, int.MaxValue)] int Problems = 200,
    IReadOnlyList<SearchMethod>? Methods = null,
    IReadOnlyList<int>? Seeds = null,
    // Generated tokens per problem for every method, to compare at equal compute; null runs each at its own defaults.
    [Range(1, int.MaxValue)] int? Budget = null) : IValidatedConfig
{
    public IReadOnlyList<SearchMethod> Methods { get; init; } = Methods ?? [SearchMethod.System1, SearchMethod.Mcts];
    public IReadOnlyList<int> Seeds { get; init; } = Seeds ?? [0];

    public IEnumerable<ConfigIssue> Validate()
    {
        if (Methods.Count == 0)
        {
            yield return new ConfigIssue("methods", "list at least one method");
        }
        if (Seeds.Count == 0)
        {
            yield return new ConfigIssue("seeds", "list at least one seed");
        }
    }
}
