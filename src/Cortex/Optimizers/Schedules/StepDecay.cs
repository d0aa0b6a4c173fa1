// StepDecay.cs — α(t) = α₀ · γ^⌊t/s⌋: multiply the rate by γ every s epochs
// (the lectures' "decay learning rate by half every few epochs": γ = 0.5; PyTorch's StepLR).
namespace Cortex.Optimizers.Schedules;

/// <summary>Step decay: <c>α(t) = α₀·γ^⌊t/s⌋</c>.</summary>
/// <example><code>var halve = new StepDecay(stepSize: 10, gamma: 0.5f);   // α₀, …, α₀/2 from epoch 10, α₀/4 from 20</code></example>
public sealed class StepDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule: every <paramref name="stepSize"/> (&gt; 0) epochs the rate is multiplied by <paramref name="gamma"/> (in (0, 1]).</summary>
    public StepDecay(int stepSize, float gamma)
    {
        ScheduleArguments.Check(stepSize > 0, nameof(StepDecay), "stepSize must be > 0", stepSize, nameof(stepSize));
        ScheduleArguments.Check(gamma is > 0f and <= 1f, nameof(StepDecay), "gamma must be in (0, 1]", gamma, nameof(gamma));
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>s, the number of epochs between drops.</summary>
    public int StepSize { get; }

    /// <summary>γ, the factor applied at each drop.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(StepDecay));
        return (float)(baseRate * Math.Pow(Gamma, epoch / StepSize));
    }

    public override string ToString() => $"step(s={StepSize}, gamma={Gamma})";
}
