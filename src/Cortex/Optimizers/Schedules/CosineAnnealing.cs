// CosineAnnealing.cs — half a cosine from the base rate down to a minimum over T epochs
// (Loshchilov & Hutter, "SGDR", ICLR 2017, without restarts; PyTorch's CosineAnnealingLR):
//   α(t) = α_min + ½·(α₀ − α_min)·(1 + cos(π·t/T))   for t ≤ T,   α(t) = α_min after.
namespace Cortex.Optimizers.Schedules;

/// <summary>Cosine annealing: <c>α(t) = α_min + ½(α₀ − α_min)(1 + cos(π·min(t, T)/T))</c>.</summary>
/// <example><code>var cosine = new CosineAnnealing(period: 100, minRate: 1e-5f);</code></example>
public sealed class CosineAnnealing : ILearningRateSchedule
{
    /// <summary>Creates the schedule: from the base rate at t = 0 to <paramref name="minRate"/> (≥ 0) at t = <paramref name="period"/> (&gt; 0).</summary>
    public CosineAnnealing(int period, float minRate = 0f)
    {
        ScheduleArguments.Check(period > 0, nameof(CosineAnnealing), "period must be > 0", period, nameof(period));
        ScheduleArguments.Check(minRate >= 0f && float.IsFinite(minRate), nameof(CosineAnnealing), "minRate must be finite and ≥ 0", minRate, nameof(minRate));
        Period = period;
        MinRate = minRate;
    }

    /// <summary>T, the number of epochs to reach the minimum.</summary>
    public int Period { get; }

    /// <summary>α_min, the rate at and after epoch T.</summary>
    public float MinRate { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(CosineAnnealing));
        double t = Math.Min(epoch, Period);
        return (float)(MinRate + 0.5 * (baseRate - MinRate) * (1.0 + Math.Cos(Math.PI * t / Period)));
    }

    public override string ToString() => $"cosine(T={Period}, min={MinRate})";
}
