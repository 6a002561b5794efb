#:project ../../src/Experiments/Reasoner.Experiments.csproj
#:property PublishAot=false
// A measurement probe, not part of the framework: can a small model trained only to compute Countdown steps, with no
// target in view, check the policy's arithmetic where the value network cannot (issue 9)? It trains a 2-layer d64 GPT
// on every valid step line a Countdown-3 (numbers 1-12) policy can meet ("a op b =" -> " c"), scores the policy's
// finished answers on 200 held-out problems by their worst step (the checker's log-probability of the written
// result), and reports the AUC of that score and best-of-16 by it against System 1.
//   dotnet run -c Release bench/probes/arithmetic-checker.cs -- results/reference/quickstart/checkpoints/iteration-2.safetensors 8000
// Measured on the committed quickstart checkpoint (Zen 5, 2 threads, 2026-11-29): 11,502 step lines, 8,000 steps in
// 46-64 s (loss 0.024); AUC 0.931 over 1,310 distinct finished answers (the value network: 0.55-0.59); best-of-16 by
// the checker 120/200 against System 1 38/200 (b = 3, c = 85), pass@16 134/200. The answers' states come from
// OracleValueTargets (the expert's solution is among them, a correct answer the checker also has to rate).
using System.Diagnostics;
using Reasoner.Experiments.Training;
using Reasoner.Experiments.Evaluation;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Experiments.Inference;
using Reasoner.Policy;
using Reasoner.Rewards;
using Reasoner.Rewards.Countdown;
using Reasoner.Tensors;

int steps = int.Parse(args[1]);
var task = new CountdownTask(new CountdownOptions(3, 1, 12, 1, 30));
var tokenizer = TaskTokenizer.For(task);
using var pool = new WorkerPool(2);
var rnd = new Random(7);
// Valid steps as a policy meets them: from 3 random numbers 1-12, every first step; from each result, every second step.
string Fmt(long num, long den) => den == 1 ? num.ToString() : $"{num}/{den}";
var lines = new HashSet<string>();
(long, long)? Apply(char op, (long n, long d) a, (long n, long d) b)
{
  checked
  {
    (long n, long d) r = op switch
    {
      '+' => (a.n * b.d + b.n * a.d, a.d * b.d),
      '-' => (a.n * b.d - b.n * a.d, a.d * b.d),
      '*' => (a.n * b.n, a.d * b.d),
      _ => b.n == 0 ? (0, 0) : (a.n * b.d, a.d * b.n),
    };
    if (r.d == 0) return null;
    long g = Gcd(Math.Abs(r.n), Math.Abs(r.d)); if (g == 0) g = 1;
    return (r.n / g, r.d / g);
  }
}
long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
for (int a = 1; a <= 12; a++) for (int b = 1; b <= 12; b++)
  foreach (var op in "+-*/")
  {
    var r = Apply(op, (a, 1), (b, 1)); if (r is null || r.Value.Item1 < 0) continue;
    lines.Add($"{a} {op} {b} = {Fmt(r.Value.Item1, r.Value.Item2)}");
    for (int c = 1; c <= 12; c++)
      foreach (var op2 in "+-*/")
        foreach (var swap in new[] { false, true })
        {
          var x = r.Value; (long, long) y = (c, 1);
          var rr = swap ? Apply(op2, y, x) : Apply(op2, x, y); if (rr is null || rr.Value.Item1 < 0) continue;
          var l = swap ? $"{c} {op2} {Fmt(x.Item1, x.Item2)}" : $"{Fmt(x.Item1, x.Item2)} {op2} {c}";
          lines.Add($"{l} = {Fmt(rr.Value.Item1, rr.Value.Item2)}");
        }
  }
var examples = lines.Select(l => { int eq = l.IndexOf('='); return new TrainingExample(l[..(eq + 1)], l[(eq + 1)..]); }).ToList();
Console.WriteLine($"{examples.Count} distinct valid step lines");
var model = Gpt.CreateRandom(new GptConfig(Layers: 2, Heads: 4, ModelDim: 64, Vocab: tokenizer.VocabSize, Context: 32), 3);
var trainer = new ExampleTrainer(model, tokenizer, pool, new ExampleTrainerConfig(BatchSize: 64, LearningRate: 3e-3f, MinLearningRate: 3e-4f, WarmupSteps: 50, DecaySteps: steps));
var sw = Stopwatch.StartNew();
var curve = trainer.Train(examples, steps, new Random(1));
Console.WriteLine($"checker trained {steps} steps in {sw.Elapsed.TotalSeconds:F0} s, loss {curve.Steps[^1].Losses.TokenLoss:F4}");

// The policy's finished answers on held-out problems, scored by the checker: min over step lines of log P(result | "a op b =").
var policy = Checkpoint.Load(args[0]).Model;
var test = task.Generate(Split.Test, 200, seed: 0);
var finished = OracleValueTargets.Collect(new GptDecoder(policy, pool, 256), tokenizer, task, test, 16, 0.7f, new Random(2), nearMisses: false)
  .Where(e => e.Finished).ToList();
var decoder = new GptDecoder(model, pool, 64);
var scored = new List<ScoredState>();
var scoredClaim = new List<ScoredState>();
foreach (var e in finished)
{
  var target = e.Prompt.Trim().Split("-> ")[1];
  var steplines = e.Completion.Split('\n').Where(l => !l.StartsWith("Answer")).ToList();
  float worst = 0;
  foreach (var sl in steplines)
  {
    int eq = sl.IndexOf('='), left = sl.IndexOf(" (left:");
    if (eq < 0 || left < eq || left + 2 > 32) { worst = -100; break; }
    var lp = SequenceScorer.LogProbabilities(decoder, tokenizer, sl[..(eq + 1)], [new TrainingExample(sl[..(eq + 1)], sl[(eq + 1)..left])]);
    worst = Math.Min(worst, lp[0].Sum());
  }
  bool claims = e.Completion.EndsWith("= " + target);
  scored.Add(new ScoredState(2, true, worst, e.ValueTarget >= 0.5f));
  scoredClaim.Add(new ScoredState(2, true, worst + (claims ? 0 : -1000), e.ValueTarget >= 0.5f));
}
Console.WriteLine($"{finished.Count} finished ({finished.Count(e => e.ValueTarget >= 0.5f)} correct): checker AUC {ValueRanking.Of(scored).FinishedAuc:F3}; checker and claims target {ValueRanking.Of(scoredClaim).FinishedAuc:F3}");

// Best-of-16 by the checker against System 1 on the same 200 held-out problems: 16 samples at T 0.7 per problem.
float Check(string prompt, string completion)
{
  var target = prompt.Trim().Split("-> ")[1];
  if (!completion.TrimEnd().EndsWith("= " + target)) return -1000;
  float worst = 0;
  foreach (var sl in completion.Split('\n').Where(l => !l.StartsWith("Answer")))
  {
    int eq = sl.IndexOf('='), left = sl.IndexOf(" (left:");
    if (eq < 0 || left < eq || left + 2 > 32) return -500;
    var lp = SequenceScorer.LogProbabilities(decoder, tokenizer, sl[..(eq + 1)], [new TrainingExample(sl[..(eq + 1)], sl[(eq + 1)..left])]);
    worst = Math.Min(worst, lp[0].Sum());
  }
  return worst;
}
var pdec = new GptDecoder(policy, pool, 64);
var sampling = new SamplingConfig(Temperature: 0.7f);
var random = new Random(11);
int greedyRight = 0, bestRight = 0, passRight = 0, onlyGreedy = 0, onlyBest = 0;
int[] End = [Tokenizer.End];
foreach (var problem in test)
{
  var prompt = task.Prompt(problem);
  int root = pdec.Allocate();
  pdec.Prefill(root, [Tokenizer.Begin, .. tokenizer.Encode(prompt)]);
  int g = pdec.Fork(root);
  pdec.Generate([g], SamplingConfig.Greedy, random, 96 - pdec.Length(g), End);
  bool greedy = task.Verify(problem, tokenizer.Decode(pdec.Generated(g)), new RewardConfig()).Correct;
  pdec.Free(g);
  var forks = Enumerable.Range(0, 16).Select(_ => pdec.Fork(root)).ToArray();
  pdec.Generate(forks, sampling, random, 96 - pdec.Length(root), End);
  var samples = forks.Select(f => tokenizer.Decode(pdec.Generated(f))).ToList();
  foreach (var f in forks) pdec.Free(f);
  pdec.Free(root);
  var best = samples.MaxBy(sample => Check(prompt, sample))!;
  bool bestOk = task.Verify(problem, best, new RewardConfig()).Correct;
  greedyRight += greedy ? 1 : 0; bestRight += bestOk ? 1 : 0;
  passRight += samples.Any(sample => task.Verify(problem, sample, new RewardConfig()).Correct) ? 1 : 0;
  if (greedy && !bestOk) onlyGreedy++; if (!greedy && bestOk) onlyBest++;
}
Console.WriteLine($"200 held-out problems: System 1 {greedyRight}, best-of-16 by the checker {bestRight} (b={onlyGreedy} c={onlyBest}), pass@16 {passRight}");
