namespace Reasoner.Search.Mcts;

/// <summary>
/// Monte Carlo tree search over sampled steps (AlphaZero's PUCT, or Gumbel root selection).
/// </summary>
/// <param name="Simulations">Simulations per decided move.</param>
/// <param name="CPuct">Exploration constant of PUCT (AlphaZero's c_puct; mctx's default pb_c_init is 1.25).</param>
/// <param name="Candidates">Steps sampled from the policy when a node is expanded (repeats merged); its priors are
/// their probabilities normalised over these candidates.</param>
/// <param name="ProposalTemperature">Temperature for sampling the candidates.</param>
/// <param name="DirichletAlpha">Dirichlet noise concentration at each search root (AlphaZero: 0.3 for chess).</param>
/// <param name="DirichletFraction">Share of the noise in the root priors (AlphaZero: 0.25); 0 turns noise off.</param>
/// <param name="MoveTemperature">Temperature of the final move choice from visit counts. 0 (the most visited
/// child) suits evaluation; self-play sets 1 to sample moves in proportion to visits.</param>
/// <param name="Rollouts">Evaluate a leaf by rolling out to the end and asking the value model there (never the verifier),
/// instead of asking the value model about the leaf itself.</param>
/// <param name="RolloutTemperature">Temperature of rollout steps (0: greedy).</param>
/// <param name="Gumbel">Gumbel root selection with Sequential Halving (Danihelka et al. 2022) instead of PUCT and noise at the root.</param>
/// <param name="GumbelConsidered">m, the actions Sequential Halving starts from (mctx's max_num_considered_actions).</param>
/// <param name="GumbelVisitInit">c_visit of sigma(q) = (c_visit + max visits) * c_scale * q (paper and mctx: 50).</param>
/// <param name="GumbelValueScale">c_scale of the same (paper and mctx: 0.1, on q rescaled to [0, 1] over the children).</param>
/// <param name="NormalizeQ">PUCT reads each Q rescaled to [0, 1] between the lowest and highest of the node's own mean
/// value and its visited children's (MuZero's normalisation; mctx's qtransform_by_parent_and_siblings), so c_puct weighs
/// the prior against how far apart the children are rather than against the value model's scale.</param>
public sealed record MctsConfig(
    int Simulations = 64,
    float CPuct = 1.25f,
    int Candidates = 8,
    float ProposalTemperature = 1.0f,
    float DirichletAlpha = 0.3f,
    float DirichletFraction = 0.25f,
    float MoveTemperature = 0f,
    bool Rollouts = false,
    float RolloutTemperature = 0f,
    bool Gumbel = false,
    int GumbelConsidered = 16,
    float GumbelVisitInit = 50f,
    float GumbelValueScale = 0.1f,
    bool NormalizeQ = false);
