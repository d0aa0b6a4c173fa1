// MultiStepDecay.cs — α(t) = α₀ · γ^(number of milestones ≤ t): drops at chosen epochs, the
// scripted form of AlexNet's "divide by 10 by hand" (e.g. ResNet's drops at epochs 30, 60, 90 —
// He et al. 2016; PyTorch's MultiStepLR).
namespace Cortex.Optimizers.Schedules;

/// <summary>Multi-step decay: <c>α(t) = α₀·γ^|{m ∈ milestones : m ≤ t}|</c>.</summary>
/// <example><code>var resnet = new MultiStepDecay([30, 60, 90], gamma: 0.1f);</code></example>
public sealed class MultiStepDecay : ILearningRateSchedule
{
    private readonly int[] _milestones;

    /// <summary>Creates the schedule; <paramref name="milestones"/> are strictly increasing epochs (&gt; 0), <paramref name="gamma"/> in (0, 1].</summary>
    public MultiStepDecay(IEnumerable<int> milestones, float gamma = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones];
        for (int i = 0; i < _milestones.Length; i++)
        {
            ScheduleArguments.Check(_milestones[i] > 0, nameof(MultiStepDecay), $"milestone {i} must be > 0", _milestones[i], nameof(milestones));
            if (i > 0)
                ScheduleArguments.Check(_milestones[i] > _milestones[i - 1], nameof(MultiStepDecay), $"milestones must increase strictly; milestone {i} is not above {_milestones[i - 1]}", _milestones[i], nameof(milestones));
        }
        ScheduleArguments.Check(gamma is > 0f and <= 1f, nameof(MultiStepDecay), "gamma must be in (0, 1]", gamma, nameof(gamma));
        Gamma = gamma;
    }

    /// <summary>The epochs at which the rate drops.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>γ, the factor applied at each milestone.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(MultiStepDecay));
        int passed = 0;
        while (passed < _milestones.Length && _milestones[passed] <= epoch)
            passed++;
        return (float)(baseRate * Math.Pow(Gamma, passed));
    }

    public override string ToString() => $"multistep([{string.Join(", ", _milestones)}], gamma={Gamma})";
}
