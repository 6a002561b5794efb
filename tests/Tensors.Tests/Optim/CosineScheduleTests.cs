using Reasoner.Tensors.Optim;

namespace Reasoner.Tensors.Tests.Optim;

public class CosineScheduleTests
{
    [Fact]
    public void Warm_up_is_linear_then_the_rate_follows_the_cosine_to_the_minimum()
    {
        var schedule = new CosineSchedule(1e-3f, 1e-4f, WarmupSteps: 10, DecaySteps: 110);
        Assert.Equal(1e-4f, schedule.At(0), 1e-9);
        Assert.Equal(5e-4f, schedule.At(4), 1e-9);
        Assert.Equal(1e-3f, schedule.At(10), 1e-9);
        Assert.Equal(1e-4 + 0.5 * (1 + Math.Cos(Math.PI * 0.5)) * 9e-4, schedule.At(60), 1e-8);
        Assert.Equal(1e-4f, schedule.At(110));
        Assert.Equal(1e-4f, schedule.At(5000));
    }

    [Fact]
    public void Without_decay_steps_the_rate_stays_at_the_maximum()
    {
        var schedule = new CosineSchedule(2e-3f, 0, 0, 0);
        Assert.Equal(2e-3f, schedule.At(0));
        Assert.Equal(2e-3f, schedule.At(1000));
    }
}
