// LearningRateScheduler.cs — binds a schedule to an optimizer: remembers the base rate (the
// optimizer's rate when bound) and writes schedule.Rate(epoch, base) into the optimizer at the
// start of each epoch; passes the end-of-epoch validation metric to the schedule.

namespace Cortex.Optimizers.Schedules;

/// <summary>Applies an <see cref="ILearningRateSchedule"/> to an <see cref="Optimizer"/>, epoch by epoch.</summary>
/// <example><code>
/// var scheduler = new LearningRateScheduler(optimizer, new StepDecay(stepSize: 10, gamma: 0.5f));
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     scheduler.BeginEpoch(epoch);           // optimizer.LearningRate = α(epoch)
///     ... train, validate ...
///     scheduler.EndEpoch(epoch, valAccuracy); // for ReduceOnPlateau
/// }
/// </code></example>
public sealed class LearningRateScheduler
{
    /// <summary>Binds <paramref name="schedule"/> to <paramref name="optimizer"/>; the base rate is <paramref name="baseRate"/> or the optimizer's current rate.</summary>
    public LearningRateScheduler(Optimizer optimizer, ILearningRateSchedule schedule, float? baseRate = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        Optimizer = optimizer;
        Schedule = schedule;
        BaseRate = baseRate ?? optimizer.LearningRate;
        if (!(BaseRate >= 0f) || float.IsInfinity(BaseRate))
            throw new ArgumentOutOfRangeException(nameof(baseRate), $"LearningRateScheduler: the base rate must be finite and ≥ 0, got {BaseRate}.");
    }

    /// <summary>The optimizer whose <see cref="Optimizers.Optimizer.LearningRate"/> is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>α₀, the rate the schedule scales.</summary>
    public float BaseRate { get; }

    /// <summary>Sets the optimizer's rate for <paramref name="epoch"/> and returns it.</summary>
    public float BeginEpoch(int epoch)
    {
        float rate = Schedule.Rate(epoch, BaseRate);
        Optimizer.LearningRate = rate;
        return rate;
    }

    /// <summary>Reports the validation metric of <paramref name="epoch"/> to the schedule.</summary>
    public void EndEpoch(int epoch, double metric) => Schedule.Observe(epoch, metric);
}
