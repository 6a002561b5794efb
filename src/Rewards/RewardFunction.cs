namespace Reasoner.Rewards;

/// <summary>Turns a verifier's findings into a reward under a <see cref="RewardConfig"/>; the same rule for every task.</summary>
internal static class RewardFunction
{
    /// <summary>
    /// Outcome (1 if correct, else the format bonus if well formed, else 0), plus the process weight times the
    /// fraction of valid steps, minus the length penalty per step beyond <paramref name="maxSteps"/>.
    /// </summary>
    public static double Score(bool correct, bool formatOk, IReadOnlyList<bool> stepValid, int maxSteps, RewardConfig rewards)
    {
        var outcome = correct ? 1.0 : formatOk ? rewards.FormatBonus : 0.0;
        var process = 0.0;
        if (rewards.ProcessWeight != 0 && stepValid.Count > 0)
        {
            process = rewards.ProcessWeight * stepValid.Count(valid => valid) / stepValid.Count;
        }
        var excessSteps = Math.Max(0, stepValid.Count - maxSteps);
        return outcome + process - rewards.LengthPenalty * excessSteps;
    }

    public static Verdict Judge(bool correct, bool formatOk, IReadOnlyList<bool> stepValid, int maxSteps, RewardConfig rewards, string? reason) =>
        new(correct, formatOk, stepValid, Score(correct, formatOk, stepValid, maxSteps, rewards), correct ? null : reason);
}
