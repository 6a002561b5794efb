using System.Globalization;
using Reasoner.Actors.SelfImprovement;
using Reasoner.Experiments.Inference;
using Reasoner.Experiments.Metrics;
using Reasoner.Experiments.SelfImprovement;
using Reasoner.Rewards;
using Reasoner.Search;

namespace Reasoner.Actors.Tests.SelfImprovement;

/// <summary>
/// A model the tests can reason about, on the real Countdown task: a checkpoint is a text file holding one "skill" s.
/// At every state the policy proposes the expert's next step with log-probability log(s) and a wrong answer line with
/// log(u), u a fixed number in (0, 1) per problem, so greedy decoding solves a problem exactly when s &gt; u (System 1's
/// accuracy is about s) and sampling finds the expert step more often than greedy. Training moves s towards 1 by the
/// share of episodes with a verified-correct completion (expert iteration's data). Optionally the proposer throws on chosen calls, to fail workers mid-search.
/// </summary>
internal sealed class ScriptedBackend(ITask task, double initialSkill, Func<int, bool>? failOnProposeCall = null) : IExperimentBackend
{
    private int _proposeCalls, _releases;

    /// <summary>Handles released so far, over every checkpoint loaded.</summary>
    public int Releases => _releases;

    public InferenceBackend LoadInference(string checkpoint)
    {
        double skill = double.Parse(File.ReadAllText(checkpoint), CultureInfo.InvariantCulture);
        var proposer = new ScriptedPolicy(task, skill, () => failOnProposeCall?.Invoke(Interlocked.Increment(ref _proposeCalls)) ?? false,
            () => Interlocked.Increment(ref _releases));
        return new InferenceBackend(proposer, new ConstantValue(skill), ValueReadsStateOnly: true);
    }

    public TrainingReport Imitate(IReadOnlyList<Problem> problems, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        Write(checkpointOut, initialSkill);
        log(new MetricsRow(0, Stage.Imitation, Step: firstStep, PolicyLoss: 1 - initialSkill));
        return new TrainingReport(1, 1 - initialSkill, null);
    }

    public TrainingReport Improve(int iteration, IReadOnlyList<Episode> episodes, string checkpointIn, string checkpointOut, long firstStep, Action<MetricsRow> log)
    {
        double skill = double.Parse(File.ReadAllText(checkpointIn), CultureInfo.InvariantCulture);
        double correct = episodes.Count(e => e.Chosen.Correct || e.Candidates.Any(c => c.Correct)) / (double)Math.Max(1, episodes.Count);
        double next = skill + 0.5 * correct * (1 - skill);
        Write(checkpointOut, next);
        log(new MetricsRow(iteration, Stage.SelfImprovement, Step: firstStep, PolicyLoss: 1 - next, ValueLoss: 0.25));
        return new TrainingReport(1, 1 - next, 0.25);
    }

    // A scripted skill lives in its checkpoint file: imitation leaves nothing else behind.
    public void RestoreImitation(IReadOnlyList<Problem> problems, string checkpoint)
    {
    }

    private static void Write(string path, double skill) => File.WriteAllText(path, skill.ToString("R", CultureInfo.InvariantCulture));

    private sealed class ConstantValue(double skill) : IValueEstimator
    {
        public IReadOnlyList<float> Evaluate(Problem problem, IReadOnlyList<NodeState> states) => states.Select(_ => (float)skill).ToList();
    }

    private sealed class ScriptedPolicy(ITask task, double skill, Func<bool> fail, Action released) : IStepProposer
    {
        private readonly Dictionary<long, (Problem Problem, int Depth)> _live = [];
        private long _next;

        public RootState Begin(Problem problem, string prompt)
        {
            _live[_next] = (problem, 0);
            return new RootState(new StateHandle(_next++), prompt.Length);
        }

        public IReadOnlyList<IReadOnlyList<StepProposal>> Propose(IReadOnlyList<StateHandle> states, ProposeRequest request)
        {
            if (fail()) throw new InvalidOperationException("scripted failure of the policy");
            var random = new Random(request.Seed);
            var result = new List<IReadOnlyList<StepProposal>>();
            foreach (var state in states)
            {
                var (problem, depth) = _live[state.Id];
                var expert = task.Solve(problem);
                double u = 0.05 + 0.9 * SeedMix.Of(Stable(problem.Id)) / (double)int.MaxValue;
                var options = new[] { (Text: expert[Math.Min(depth, expert.Count - 1)], LogProb: Math.Log(skill)), (Text: "Answer: 1 + 1 = 2", LogProb: Math.Log(u)) };
                var picks = new List<(string Text, double LogProb)>();
                if (request.Temperature <= 0) picks.Add(options.MaxBy(o => o.LogProb));
                else
                    for (int k = 0; k < request.Count; k++)
                        picks.Add(random.NextDouble() * (skill + u) < skill ? options[0] : options[1]);
                result.Add(picks.Select(p =>
                {
                    _live[_next] = (problem, depth + 1);
                    return new StepProposal(p.Text, p.LogProb, 1, 1, new StateHandle(_next++));
                }).ToList());
            }
            return result;
        }

        public void Release(StateHandle state)
        {
            if (!_live.Remove(state.Id)) throw new InvalidOperationException($"handle {state.Id} released twice or never issued");
            released();
        }

        private static int Stable(string text) => text.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));
    }
}
