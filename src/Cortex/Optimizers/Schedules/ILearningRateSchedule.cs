// ILearningRateSchedule.cs — a learning-rate schedule is a separate object from the optimizer:
// a function of the epoch (and, for ReduceOnPlateau, of the validation metrics observed so far)
// that scales a base rate. It never touches an optimizer itself; LearningRateScheduler (or the
// trainer) writes the result into Optimizer.LearningRate, so any schedule works with any optimizer.
//
// The time unit t is whatever the caller counts: epochs as in the lectures, or iterations if the
// caller asks once per batch. Every period a schedule takes (stepSize, period, warmup length) is
// in that same unit. t starts at 0.
namespace Cortex.Optimizers.Schedules;

/// <summary>Maps (epoch, base rate) to the learning rate for that epoch.</summary>
/// <example><code>
/// ILearningRateSchedule schedule = new Warmup(new CosineAnnealing(period: 90), warmupEpochs: 5);
/// float lr = schedule.Rate(epoch: 10, baseRate: 0.1f);
/// </code></example>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate for epoch <paramref name="epoch"/> (≥ 0) when the schedule starts from <paramref name="baseRate"/>.</summary>
    float Rate(int epoch, float baseRate);

    /// <summary>
    /// Reports the validation metric measured at the end of <paramref name="epoch"/>. Only stateful
    /// schedules (<see cref="ReduceOnPlateau"/>) use it; for the others it does nothing.
    /// </summary>
    void Observe(int epoch, double metric)
    {
    }

    /// <summary>
    /// What the schedule has learnt from <see cref="Observe"/> (for <see cref="ReduceOnPlateau"/>: best, bad
    /// epochs, reductions, cooldown), as numbers a training checkpoint stores; empty for stateless schedules.
    /// </summary>
    double[] SaveState() => [];

    /// <summary>Puts back a state from <see cref="SaveState"/>.</summary>
    /// <exception cref="ArgumentException">The state does not come from a schedule of this kind.</exception>
    void RestoreState(ReadOnlySpan<double> state)
    {
        if (!state.IsEmpty)
            throw new ArgumentException($"{GetType().Name}: this schedule keeps no state, but {state.Length} value(s) were given.", nameof(state));
    }
}
