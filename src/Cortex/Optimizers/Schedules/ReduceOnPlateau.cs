// ReduceOnPlateau.cs — cut the rate when the validation metric stops improving. AlexNet
// (Krizhevsky et al. 2012): "divide the learning rate by 10 when the validation error rate stopped
// improving"; the lectures: "reduced by 10 manually when val accuracy plateaus".
//
// The rules are PyTorch's ReduceLROnPlateau, observed once per epoch:
//   improved = metric better than best by more than the threshold
//              relative: max mode metric > best + θ·|best|,  min mode metric < best − θ·|best|
//              absolute: max mode metric > best + θ,         min mode metric < best − θ
//   improved ? (best = metric, bad = 0) : bad += 1
//   during cooldown: bad = 0 (the cooldown counts down)
//   bad > patience  →  one more reduction; cooldown starts; bad = 0
// and the rate is α = max(α₀·factorʳ, min(α₀, minRate)) after r reductions. A NaN metric never
// improves. The first observation always improves (best starts at the worst value).
namespace Cortex.Optimizers.Schedules;

/// <summary>Whether a larger metric is better (<see cref="Max"/>: accuracy) or a smaller one (<see cref="Min"/>: loss).</summary>
public enum PlateauMode
{
    /// <summary>The metric should decrease (loss, error rate).</summary>
    Min,

    /// <summary>The metric should increase (accuracy).</summary>
    Max,
}

/// <summary>How <see cref="ReduceOnPlateau.Threshold"/> is compared with the best metric so far.</summary>
public enum ThresholdMode
{
    /// <summary>Improvement must exceed θ·|best|.</summary>
    Relative,

    /// <summary>Improvement must exceed θ.</summary>
    Absolute,
}

/// <summary>Multiplies the rate by <see cref="Factor"/> when the observed metric has not improved for more than <see cref="Patience"/> epochs.</summary>
/// <example><code>
/// var plateau = new ReduceOnPlateau(PlateauMode.Max, factor: 0.1f, patience: 5);  // AlexNet-style, on validation accuracy
/// plateau.Observe(epoch, validationAccuracy);                                     // end of each epoch
/// optimizer.LearningRate = plateau.Rate(epoch + 1, baseRate: 0.01f);
/// </code></example>
public sealed class ReduceOnPlateau : ILearningRateSchedule
{
    private int _cooldownLeft;

    /// <summary>Creates the schedule.</summary>
    /// <param name="mode">Max for accuracy-like metrics, Min for loss-like ones.</param>
    /// <param name="factor">The multiplier at each reduction, in (0, 1); 0.1 divides by 10 as AlexNet did.</param>
    /// <param name="patience">How many epochs without improvement are tolerated (≥ 0); the reduction comes on the next one.</param>
    /// <param name="threshold">θ ≥ 0, the smallest change that counts as an improvement.</param>
    /// <param name="thresholdMode">Whether θ is relative to |best| or absolute.</param>
    /// <param name="cooldown">Epochs (≥ 0) after a reduction during which bad epochs are not counted.</param>
    /// <param name="minRate">The floor (≥ 0) reductions never go below.</param>
    public ReduceOnPlateau(PlateauMode mode, float factor = 0.1f, int patience = 10, double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, float minRate = 0f)
    {
        ScheduleArguments.Check(Enum.IsDefined(mode), nameof(ReduceOnPlateau), "mode must be Min or Max", (int)mode, nameof(mode));
        ScheduleArguments.Check(factor is > 0f and < 1f, nameof(ReduceOnPlateau), "factor must be in (0, 1)", factor, nameof(factor));
        ScheduleArguments.Check(patience >= 0, nameof(ReduceOnPlateau), "patience must be ≥ 0", patience, nameof(patience));
        ScheduleArguments.Check(threshold >= 0 && double.IsFinite(threshold), nameof(ReduceOnPlateau), "threshold must be finite and ≥ 0", threshold, nameof(threshold));
        ScheduleArguments.Check(Enum.IsDefined(thresholdMode), nameof(ReduceOnPlateau), "thresholdMode must be Relative or Absolute", (int)thresholdMode, nameof(thresholdMode));
        ScheduleArguments.Check(cooldown >= 0, nameof(ReduceOnPlateau), "cooldown must be ≥ 0", cooldown, nameof(cooldown));
        ScheduleArguments.Check(minRate >= 0f && float.IsFinite(minRate), nameof(ReduceOnPlateau), "minRate must be finite and ≥ 0", minRate, nameof(minRate));
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinRate = minRate;
        Reset();
    }

    public PlateauMode Mode { get; }

    public float Factor { get; }

    public int Patience { get; }

    public double Threshold { get; }

    public ThresholdMode ThresholdMode { get; }

    public int Cooldown { get; }

    public float MinRate { get; }

    /// <summary>The best metric observed so far (−∞ in Max mode, +∞ in Min mode before any).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive observed epochs without improvement (not counting cooldown).</summary>
    public int BadEpochs { get; private set; }

    /// <summary>How many times the rate has been reduced.</summary>
    public int Reductions { get; private set; }

    /// <inheritdoc/>
    public float Rate(int epoch, float baseRate)
    {
        ScheduleArguments.CheckEpoch(epoch, nameof(ReduceOnPlateau));
        double reduced = baseRate * Math.Pow(Factor, Reductions);
        return (float)Math.Max(reduced, Math.Min(baseRate, MinRate));
    }

    /// <inheritdoc/>
    public void Observe(int epoch, double metric)
    {
        if (IsImprovement(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }

        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            BadEpochs = 0;
        }

        if (BadEpochs > Patience)
        {
            Reductions++;
            _cooldownLeft = Cooldown;
            BadEpochs = 0;
        }
    }

    /// <inheritdoc/>
    public double[] SaveState() => [Best, BadEpochs, Reductions, _cooldownLeft];

    /// <inheritdoc/>
    public void RestoreState(ReadOnlySpan<double> state)
    {
        if (state.Length != 4 || state[1] < 0 || state[2] < 0 || state[3] < 0)
            throw new ArgumentException($"ReduceOnPlateau: expected a saved state of 4 values (best, bad epochs, reductions, cooldown left), got {state.Length}.", nameof(state));
        (Best, BadEpochs, Reductions, _cooldownLeft) = (state[0], (int)state[1], (int)state[2], (int)state[3]);
    }

    /// <summary>Forgets every observation and reduction.</summary>
    public void Reset()
    {
        Best = Mode == PlateauMode.Max ? double.NegativeInfinity : double.PositiveInfinity;
        BadEpochs = 0;
        Reductions = 0;
        _cooldownLeft = 0;
    }

    private bool IsImprovement(double metric)
    {
        if (double.IsNaN(metric))
            return false;
        if (double.IsInfinity(Best))
            return Mode == PlateauMode.Max ? metric > Best : metric < Best;
        double margin = ThresholdMode == ThresholdMode.Relative ? Threshold * Math.Abs(Best) : Threshold;
        return Mode == PlateauMode.Max ? metric > Best + margin : metric < Best - margin;
    }

    public override string ToString() => $"plateau({Mode}, factor={Factor}, patience={Patience})";
}
