using System.ComponentModel.DataAnnotations;
using Reasoner.Experiments.Training;
using Reasoner.Rewards;

namespace Reasoner.Experiments.Config;

// The records an experiment YAML binds to (experiments/<name>.yaml). Keys are the parameter names in snake_case; each
// default applies when the key is absent. Nested sections and lists take a nullable parameter defaulting to null and a
// non-null property, so `new ExperimentConfig("x", new TaskConfig("game24"))` is a complete config and the written-back
// YAML always has every section.

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
        if (SelfImprovement.Algorithm == SelfImprovementAlgorithm.Grpo && SelfImprovement.Search.Method != SearchMethod.SelfConsistency)
        {
            yield return new ConfigIssue("self_improvement.search.method",
                "grpo learns from groups of independent samples: use self-consistency (samples is the group size)");
        }
        if (SelfImprovement.Algorithm == SelfImprovementAlgorithm.AlphaZero && SelfImprovement.Search.Method != SearchMethod.Mcts)
        {
            yield return new ConfigIssue("self_improvement.search.method", "alphazero trains the policy on MCTS visit distributions: use mcts");
        }
        if (Imitation.CheckerSteps > 0 && Imitation.ValueNetwork != ValueNetwork.Separate)
        {
            yield return new ConfigIssue("imitation.checker_steps", "step checks are learned by the separate value network: set imitation.value_network: separate");
        }
        if (Imitation.CheckStates && Imitation.CheckerSteps == 0)
        {
            yield return new ConfigIssue("imitation.check_states", "the problems steps leave are learned with the step checks: set imitation.checker_steps");
        }
        if (Imitation.CheckTask is { } checkTask)
        {
            if (Imitation.CheckerSteps == 0)
                yield return new ConfigIssue("imitation.check_task", "the check task's problems are drilled by the step checks: set imitation.checker_steps");
            if (Imitation.CheckProblems == 0)
                yield return new ConfigIssue("imitation.check_problems", "say how many of imitation.check_task's training problems the checks drill");
            if (Unreadable(checkTask) is { } unreadable)
                yield return new ConfigIssue("imitation.check_task", unreadable);
        }
        else if (Imitation.CheckProblems > 0)
        {
            yield return new ConfigIssue("imitation.check_problems", "the checks drill the demonstration problems unless imitation.check_task names another task");
        }
        if (SelfImprovement.Task is { } selfPlay && Unreadable(selfPlay) is { } unread)
        {
            yield return new ConfigIssue("self_improvement.task", unread);
        }
        if (SelfImprovement.DemonstrationShare is not null && SelfImprovement.Algorithm == SelfImprovementAlgorithm.Grpo)
        {
            yield return new ConfigIssue("self_improvement.demonstration_share", "grpo trains on its own samples only, with no demonstrations beside them: leave it out");
        }
        if (Evaluation.Task is { } evaluated && Unreadable(evaluated) is { } missing)
        {
            yield return new ConfigIssue("evaluation.task", missing);
        }
    }

    /// <summary>What is wrong when <paramref name="other"/> writes characters the training task's policy cannot read; null
    /// when it writes none (or a task config is invalid: its own issue says why).</summary>
    private string? Unreadable(TaskConfig other) =>
        TryAlphabet(Task) is { } reads && TryAlphabet(other) is { } writes && writes.Except(reads).ToArray() is { Length: > 0 } missing
            ? $"task {other.Name} writes characters '{new string(missing)}' that the policy of task {Task.Name} cannot read"
            : null;

    /// <summary>The task's alphabet, or null when the task config itself is invalid (its own issue says why).</summary>
    private static string? TryAlphabet(TaskConfig task)
    {
        try
        {
            return task.Create().Alphabet;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// The verifiable task (<c>countdown</c>, <c>game24</c>, <c>arithmetic</c>, <c>sudoku</c>) and its difficulty options;
/// an option the task does not take is an error. Null options take the task's defaults.
/// </summary>
public sealed record TaskConfig(
    string Name,
    // Countdown: how many numbers (3 to 6), their range and the target's range.
    int? Numbers = null,
    int? MinNumber = null,
    int? MaxNumber = null,
    int? MinTarget = null,
    int? MaxTarget = null,
    // Arithmetic: add | multiply | mixed, and the operands' digits.
    string? Operation = null,
    int? Digits = null,
    int? RightDigits = null,
    // Sudoku: 4 or 9, and the empty cells.
    int? Size = null,
    int? Blanks = null,
    // Reward of a well-formed wrong answer (TinyZero: 0.1); correct answers earn 1.
    [Range(0.0, 1.0)] double FormatBonus = 0) : IValidatedConfig
{
    public TaskOptions Options => new(Numbers, MinNumber, MaxNumber, MinTarget, MaxTarget, Operation, Digits, RightDigits, Size, Blanks);

    public RewardConfig Rewards => new(FormatBonus);

    /// <summary>The task as checkpoints record it.</summary>
    public TaskSpec Spec => new(Name, Options);

    /// <summary>The task, built through <see cref="TaskCatalog"/>.</summary>
    public ITask Create() => Spec.Create();

    public IEnumerable<ConfigIssue> Validate()
    {
        string? problem = null;
        try
        {
            Create();
        }
        catch (ArgumentException error)
        {
            problem = error.Message;
        }
        if (problem is not null)
        {
            yield return new ConfigIssue("", problem);
        }
    }
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

/// <summary>Stage 1: supervised fine-tuning of a fresh model on expert demonstrations.</summary>
public sealed record ImitationConfig(
    // Expert solutions of distinct training problems; fewer leave the policy room to improve in stage 2.
    [Range(1, int.MaxValue)] int Demonstrations = 10_000,
    [Range(1, int.MaxValue)] int Steps = 2_000,
    [Range(1, 65_536)] int Batch = 32,
    [Range(0.0, 1.0)] double Lr = 3e-4,
    // Dead ends shown beside each expert solution: the expert leaves its solution with one valid step that cannot reach
    // the target, then computes honestly to an answer line stating what it reached; only what follows the mistake is
    // imitated. Without them a policy learns that a last step always "reaches" the target and claims it whatever its
    // arithmetic (3 + 16 = 30), a lie no small value model catches; with them its failures read as failures (Countdown,
    // Game of 24; other tasks have none). Also anchored in self-improvement's training data with the solutions.
    [Range(0, 16)] int DeadEnds = 0,
    // Then the value model learns, over value_steps steps, from value_samples samples of the imitation policy on
    // value_problems of the demonstration problems; 0 steps leaves the value untrained.
    [Range(0, int.MaxValue)] int ValueProblems = 128,
    [Range(1, 1024)] int ValueSamples = 4,
    [Range(0, int.MaxValue)] int ValueSteps = 200,
    // Its targets: expert (the task's exact oracle labels the expert's states, the policy's sampled and proposed ones and
    // near misses of their steps, as the expert labels moves), rollouts (the verified outcomes of the policy's samples,
    // mostly 0 for a weak policy), or both.
    ValueTargetSource ValueTargets = ValueTargetSource.Expert,
    // separate: a value network of its own, a copy of the policy after SFT (as reward models start from the SFT model);
    // shared: the policy's value head on its trunk, trained with the demonstrations mixed in.
    ValueNetwork ValueNetwork = ValueNetwork.Separate,
    // Learning rate of the value training; null: lr.
    [Range(0.0, 1.0)] double? ValueLr = null,
    // Examples whose states are all solvable are repeated until they are this share of the value data (a weak policy's
    // states are mostly dead ends: without it a value that predicts the base rate at each depth is a deep basin); 0: off.
    [Range(0.0, 0.9)] double ValuePositiveShare = 0.3,
    // Then the separate value network also learns to check steps for this many steps (batch 64, lr): the claims of the
    // task's drills from the demonstration problems ("7 + 9 =" -> " 16", no problem and no target in view, so it
    // computes and cannot claim a target), rehearsed in every iteration's value training; search multiplies a state's
    // value by the probability it gives each of the state's written results. 0: off. Countdown and Game of 24.
    [Range(0, int.MaxValue)] int CheckerSteps = 0,
    // With checker_steps, the checks also teach the value head the problems the drills' steps leave ("4 10 30 -> 24",
    // nothing else in view; the task's solver says which can still be solved, as the expert labels states), and search
    // values a partial state by the problem its last step leaves (Tree of Thoughts' value prompt judges the numbers left
    // the same way). Countdown and Game of 24.
    bool CheckStates = false,
    // The checks drill check_problems training problems of this task instead of the demonstration problems (its test
    // split stays held out): e.g. game24's training puzzles when the policy imitates Countdown but is judged on Game of
    // 24, so the value learns the problems left for target 24 rather than spread over every target. Null: the
    // demonstration problems.
    TaskConfig? CheckTask = null,
    [Range(0, int.MaxValue)] int CheckProblems = 0,
    // A step whose loss or gradient norm is not finite is skipped and halves the learning rate; this many in a row stop the run.
    [Range(1, 1000)] int MaxNonFiniteSteps = ExampleTrainerConfig.DefaultMaxNonFiniteSteps);

/// <summary>Which model values states in search.</summary>
public enum ValueNetwork
{
    /// <summary>The policy's own value head: free at search time (it reads the policy's cache), but it shares the trunk.</summary>
    Shared,
    /// <summary>A network of its own, started from the SFT policy: it re-reads every state it values, and has its whole trunk for the value.</summary>
    Separate,
}

public enum SelfImprovementAlgorithm
{
    /// <summary>Train on the search's verified-correct trajectories (Anthony et al. 2017; STaR; ReST-EM).</summary>
    ExpertIteration,
    /// <summary>Train the policy towards MCTS visit distributions and the value towards outcomes (Silver et al. 2017).</summary>
    AlphaZero,
    /// <summary>Group-relative policy optimisation over sampled groups with a KL penalty (Shao et al. 2024).</summary>
    Grpo,
}

/// <summary>Stage 2: iterations of search on fresh training problems, verify, train, (gate), promote.</summary>
public sealed record SelfImprovementConfig(
    SelfImprovementAlgorithm Algorithm = SelfImprovementAlgorithm.ExpertIteration,
    // 0 stops after imitation: the System-1 baseline run.
    [Range(0, 10_000)] int Iterations = 5,
    // Fresh training problems searched each iteration (never the imitation problems, never held-out ones).
    [Range(1, int.MaxValue)] int ProblemsPerIteration = 512,
    SearchConfig? Search = null,
    [Range(1, 1024)] int Workers = 2,
    [Range(1, int.MaxValue)] int StepsPerIteration = 500,
    [Range(1, 65_536)] int Batch = 32,
    [Range(0.0, 1.0)] double Lr = 1e-4,
    // Bounded example history (Coach's numItersForTrainExamplesHistory): the replay buffer keeps the searched problems
    // of at most this many recent episodes; older ones are dropped first.
    [Range(1, int.MaxValue)] int ReplayCapacity = 4096,
    // GRPO's KL coefficient beta towards the imitation policy (DeepSeekMath: 0.04).
    [Range(0.0, 10.0)] double KlBeta = 0.04,
    // Weight of the value loss against the policy loss: the two heads share the trunk, and a value fitted to mostly
    // failed episodes can otherwise pull the policy off what imitation taught it.
    [Range(0.0, 100.0)] double ValueLossWeight = 0.5,
    // Which states the value learns the verified outcomes at: answers (the finished answers, each at its exact verdict;
    // partial states keep the ranking imitation taught), prefixes (also every line prefix of every completion, at the
    // outcome of the completion it began: Monte-Carlo targets, noisy for a weak policy's few successes), or none (the
    // value stays as imitation left it).
    LoopValueStates ValueStates = LoopValueStates.Answers,
    // Promote a new checkpoint only if its System-1 accuracy on gating_problems validation problems (training split,
    // never searched) is at least the current one's (AlphaGo Zero's arena); off promotes every iteration, as AlphaZero.
    bool Gating = false,
    [Range(1, int.MaxValue)] int GatingProblems = 100,
    // Most policy/value requests the inference server puts in one forward pass.
    [Range(1, 4096)] int InferenceBatch = 64,
    // As imitation.max_non_finite_steps, for each iteration's training.
    [Range(1, 1000)] int MaxNonFiniteSteps = ExampleTrainerConfig.DefaultMaxNonFiniteSteps,
    // The task whose training problems the loop searches (its verifier scores them): e.g. game24's training puzzles when
    // the policy imitates Countdown but is judged on Game of 24. Each iteration draws problems_per_iteration of them
    // afresh, so they may repeat across iterations when the split is small (ReST-EM searches one training set every
    // iteration); its test split stays held out. Null: fresh problems of the training task, never searched twice.
    TaskConfig? Task = null,
    // Expert iteration and AlphaZero: the share of the learner's examples that are imitation's demonstrations (the rest
    // are the search's), each group repeated to make it up: a few hundred verified trajectories beside 20,000
    // demonstrations are otherwise 2% of the data. Null: pooled as they come.
    [Range(0.0, 0.99)] double? DemonstrationShare = null)
{
    public SearchConfig Search { get; init; } = Search ?? new();
}

/// <summary>Where self-improvement's value learns the verified outcomes (<c>self_improvement.value_states</c>).</summary>
public enum LoopValueStates
{
    /// <summary>Finished answers only, at the verifier's verdict.</summary>
    Answers,
    /// <summary>Every line prefix of every completion too, at its completion's outcome (Monte-Carlo, AlphaZero's z).</summary>
    Prefixes,
    /// <summary>None: the value stays as imitation left it.</summary>
    None,
}

public enum SearchMethod { System1, SelfConsistency, BestOfN, Beam, TotBfs, TotDfs, Mcts }

/// <summary>A search method and the settings of each; only the chosen method's section is used.</summary>
public sealed record SearchConfig(
    SearchMethod Method = SearchMethod.Mcts,
    // Samples for self-consistency (GRPO's group size) and best-of-n.
    [Range(1, 1024)] int Samples = 8,
    BeamConfig? Beam = null,
    TreeOfThoughtConfig? Tot = null,
    MctsConfig? Mcts = null,
    // The longest step (tokens) the policy may generate; longer than the task's longest line.
    [Range(1, 4096)] int MaxStepTokens = 64,
    // Sampling temperature of the policy's proposals: samples, beam and ToT expansions, MCTS candidates. Below 1 a
    // small policy's slips (a wrong digit somewhere in a long answer) become rarer while samples still differ.
    [Range(0.01, 10.0)] double Temperature = 1.0,
    // best-of-n: choose the final answer whose samples' values sum highest (value-weighted voting) instead of the
    // single highest-valued sample.
    bool Vote = false)
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
    // Visit-count temperature of the moves self-improvement plays (1: in proportion to visits, for diverse episodes);
    // evaluation always takes the most visited step.
    [Range(0.0, 100.0)] double Temperature = 1.0,
    // Steps sampled from the policy when a node is expanded (repeats merged).
    [Range(1, 1024)] int Candidates = 8,
    // PUCT reads Q rescaled to [0, 1] between the lowest and highest value among a node and its visited children
    // (MuZero), so c_puct does not depend on the value model's scale: a checked value is small everywhere.
    bool NormalizeQ = false);

/// <summary>
/// Evaluation on held-out test problems after imitation and after each iteration: the same problems and seeds for every
/// method and every iteration, so each accuracy is paired with System 1's. Each method runs with the settings of
/// <c>self_improvement.search</c>, without root noise and taking the most visited step.
/// </summary>
public sealed record EvaluationConfig(
    [Range(1, int.MaxValue)] int Problems = 200,
    IReadOnlyList<SearchMethod>? Methods = null,
    // One evaluation of every method per seed (the search's random choices); System 1 is greedy and seed-independent.
    IReadOnlyList<int>? Seeds = null,
    // The held-out task, when it is not the training task's test split: e.g. game24 (the Tree-of-Thoughts test set) for a
    // policy trained on 4-number Countdown with target 24. Its characters must be the training task's.
    TaskConfig? Task = null,
    EvaluationBudgets? Budgets = null) : IValidatedConfig
{
    public IReadOnlyList<SearchMethod> Methods { get; init; } = Methods ?? [SearchMethod.System1, SearchMethod.Mcts];
    public IReadOnlyList<int> Seeds { get; init; } = Seeds ?? [0];
    public EvaluationBudgets Budgets { get; init; } = Budgets ?? new();

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
        if (Methods.Distinct().Count() != Methods.Count)
        {
            yield return new ConfigIssue("methods", "a method is listed twice");
        }
    }
}

/// <summary>
/// The equal-compute comparison of every evaluation: accuracy against generated tokens per problem at several budgets,
/// so that search counts as ahead only where it beats sampling at the same tokens.
/// </summary>
public sealed record EvaluationBudgets(
    // One run of this many samples per problem and seed, at search.temperature, its finished samples scored by the value
    // model: maj@k, best-of-k (by value) and pass@k (an oracle bound) for every k up to it are averages over k-subsets
    // of these samples, at k/samples of their tokens. A search is matched against maj@k only if k samples cost at least
    // its tokens, so this must be large enough to reach the costliest search. 0: no sampling curves.
    [Range(0, 4096)] int Samples = 32,
    // Each tree search (beam, tot-bfs, tot-dfs, mcts) is also evaluated at these fractions of its size: beam width, ToT
    // breadth (BFS) or proposals (DFS), MCTS simulations. The configured size (1) is always evaluated.
    IReadOnlyList<double>? SearchScales = null) : IValidatedConfig
{
    public IReadOnlyList<double> SearchScales { get; init; } = SearchScales ?? [0.25, 0.5];

    public IEnumerable<ConfigIssue> Validate()
    {
        foreach (double scale in SearchScales.Where(s => !(s > 0 && s <= 16) || s == 1))
        {
            yield return new ConfigIssue("search_scales", $"{scale.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a scale: use fractions in (0, 16] other than 1 (the configured size, always evaluated)");
        }
        if (SearchScales.Distinct().Count() != SearchScales.Count)
        {
            yield return new ConfigIssue("search_scales", "a scale is listed twice");
        }
    }
}
