// Warmup.cs — a linear warm-up in front of any schedule (Goyal et al., "Accurate, large minibatch
// SGD: training ImageNet in 1 hour", 2017): for the first W epochs the rate climbs linearly,
// then the inner schedule runs, shifted so that it starts at its own epoch 0:
//   α(t) = r₀ · (f + (1 − f)·t/W)        t < W,   r₀ = inner(0, α₀), f = startFactor
//   α(t) = inner(t − W, α₀)              t ≥ W
// The default f = 1/(W+1) gives α₀/(W+1), 2α₀/(W+1), …, W·α₀/(W+1), then α₀: never a zero step.
// Observations are passed on to the inner schedule from epoch W on (its epoch t − W), so a
// ReduceOnPlateau inside does not count the warm-up epochs, whose rising rate says nothing about a plateau.
namespace Cortex.Optimizers.Schedules;

/// <summary>Linear warm-up over <see cref="WarmupEpochs"/> epochs, then <see cref="Inner"/>.</summary>
/// <example><code>var schedule = new Warmup(new CosineAnnealing(period: 95), warmupEpochs: 5);</code></example>
public sealed class Warmup : ILearningRateSchedule
{
    /// <summary>Creates the wrapper.</summary>
    /// <param name="inner">The schedule that runs after the warm-up (e.g. <see cref="ConstantSchedule.Instance"/>).</param>
    /// <param name="warmupEpochs">W (&gt; 0), the warm-up length.</param>
    /// <param name="startFactor">f in [0, 1], the fraction of the rate at epoch 0; null means 1/(W+1).</param>
    public Warmup(ILearningRateSchedule inner, int warmupEpochs, float? startFactor = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ScheduleArguments.Check(warmupEpochs > 0, nameof(Warmup), "warmupEpochs must be > 0", warmupEpochs, nameof(warmupEpochs));
        float f = startFactor ?? 1f / (warmupEpochs + 1);
        ScheduleArguments.Check(f is >= 0f and <= 1f, nameof(Warmup), "startFactor must be in [0, 1]", f, nameof(startFactor));
        Inner = inner;
        WarmupEpochs = warmupEpochs;
        StartFactor = f;
    }

    /// <summary>The schedule after the warm-up.</summary>
    public ILearningRateSchedule Inner { get; }

    /// <summary>W, the number of warm-up epochs.</summary>
    public int WarmupEpochs { get; }

    /// <summary>f, the fraction of the target rate used at epoch 0.</summary>
    public float StartFactor { get; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(Warmup));
        if (epoch >= WarmupEpochs)
            return Inner.Rate(epoch - WarmupEpochs, baseRate);
        double target = Inner.Rate(0, baseRate);
        return (float)(target * (StartFactor + (1.0 - StartFactor) * epoch / WarmupEpochs));
    }

    /// <inheritdoc/>
    public void Observe(int epoch, double metric)
    {
        if (epoch >= WarmupEpochs)
            Inner.Observe(epoch - WarmupEpochs, metric);
    }

    /// <inheritdoc/>
    public double[] SaveState() => Inner.SaveState();

    /// <inheritdoc/>
    public void RestoreState(ReadOnlySpan<double> state) => Inner.RestoreState(state);

    public override string ToString() => $"warmup(W={WarmupEpochs}, f={StartFactor}) then {Inner}";
}
