// InverseTimeDecay.cs — α(t) = α₀ / (1 + k·t), the lectures' "1/t decay".
namespace Cortex.Optimizers.Schedules;

/// <summary>1/t decay: <c>α(t) = α₀/(1 + k·t)</c>.</summary>
/// <example><code>var decay = new InverseTimeDecay(k: 0.1);   // α₀/2 at epoch 10</code></example>
public sealed class InverseTimeDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule with decay constant <paramref name="k"/> (≥ 0, per epoch).</summary>
    public InverseTimeDecay(double k)
    {
        ScheduleArguments.Check(k >= 0 && double.IsFinite(k), nameof(InverseTimeDecay), "k must be finite and ≥ 0", k, nameof(k));
        K = k;
    }

    /// <summary>k, the decay constant.</summary>
    public double K { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(InverseTimeDecay));
        return (float)(baseRate / (1.0 + K * epoch));
    }

    public override string ToString() => $"inverse-time(k={K})";
}
