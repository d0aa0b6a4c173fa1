// ConstantSchedule.cs — α(t) = α₀: the learning rate never changes.
namespace Cortex.Optimizers.Schedules;

/// <summary>The constant schedule: <c>α(t) = α₀</c>.</summary>
/// <example><code>var lr = ConstantSchedule.Instance.Rate(7, 0.01f);   // 0.01</code></example>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>The one instance (the schedule has no settings).</summary>
    public static ConstantSchedule Instance { get; } = new();

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(ConstantSchedule));
        return baseRate;
    }

    public override string ToString() => "constant";
}
