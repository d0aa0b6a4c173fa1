// ExponentialDecay.cs — α(t) = α₀ · e^(−k·t), the lectures' "exponential decay".
// (Keras's ExponentialDecay(rate, steps) is the same curve with k = −ln(rate)/steps.)
namespace Cortex.Optimizers.Schedules;

/// <summary>Exponential decay: <c>α(t) = α₀·e^(−k·t)</c>.</summary>
/// <example><code>var decay = new ExponentialDecay(k: 0.05);   // ×0.951 per epoch</code></example>
public sealed class ExponentialDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule with decay constant <paramref name="k"/> (≥ 0, per epoch).</summary>
    public ExponentialDecay(double k)
    {
        ScheduleArguments.Check(k >= 0 && double.IsFinite(k), nameof(ExponentialDecay), "k must be finite and ≥ 0", k, nameof(k));
        K = k;
    }

    /// <summary>k, the decay constant.</summary>
    public double K { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(ExponentialDecay));
        return (float)(baseRate * Math.Exp(-K * epoch));
    }

    public override string ToString() => $"exponential(k={K})";
}
