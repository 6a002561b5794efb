namespace Reasoner.Tensors.Optim;

/// <summary>
/// Linear warm-up then cosine decay, a pure function of the 0-based step (nanoGPT's get_lr):
/// step &lt; warmup: max * (step + 1) / warmup; then min + (max - min) * 0.5 (1 + cos(pi * progress)) with
/// progress = (step - warmup) / (decay - warmup); after decay steps: min. DecaySteps /// progress = (step - warmup) / (decay - warmup); after decay steps: min.lt;= WarmupSteps means no decay
/// (a constant rate after warm-up), so the defaults give a constant MaxLearningRate.
/// </summary>
public sealed record CosineSchedule(float MaxLearningRate = 1e-3f, float MinLearningRate = 1e-4f, int WarmupSteps = 0, int DecaySteps = 0)
{
    public float At(int step)
    {
        if (step < WarmupSteps) return MaxLearningRate * (step + 1) / WarmupSteps;
        if (step >= DecaySteps) return DecaySteps <= WarmupSteps ? MaxLearningRate : MinLearningRate;
        double progress = (double)(step - WarmupSteps) / (DecaySteps - WarmupSteps);
        return MinLearningRate + (float)(0.5 * (1 + Math.Cos(Math.PI * progress))) * (MaxLearningRate - MinLearningRate);
    }
}
