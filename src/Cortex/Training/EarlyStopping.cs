// EarlyStopping.cs — stop when the monitored figure has not improved for `patience` epochs.
using System.Globalization;

namespace Cortex.Training;

/// <summary>Stops training when <see cref="Monitor"/> has not improved by <see cref="MinDelta"/> for <see cref="Patience"/> epochs.</summary>
public sealed class EarlyStopping(int patience = 5, MonitorMetric monitor = MonitorMetric.ValidationAccuracy, double minDelta = 0) : TrainingCallback
{
    public int Patience { get; } = patience >= 1 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), $"EarlyStopping: expected patience ≥ 1, got {patience}.");
    public MonitorMetric Monitor { get; } = monitor;
    public double MinDelta { get; } = minDelta >= 0 ? minDelta : throw new ArgumentOutOfRangeException(nameof(minDelta), $"EarlyStopping: expected minDelta ≥ 0, got {minDelta}.");

    /// <summary>The best value seen so far.</summary>
    public double Best { get; private set; } = double.NaN;

    private int _badEpochs;

    public override void OnTrainBegin(TrainingContext context)
    {
        Best = double.NaN;
        _badEpochs = 0;
    }

    /// <inheritdoc/>
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("best", Best);
        state.Set("bad_epochs", _badEpochs);
    }

    /// <inheritdoc/>
    public override void RestoreState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Best = state.Get("best");
        _badEpochs = (int)state.Get("bad_epochs", 0);
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        double value = Monitor.Read(record);
        if (Monitor.Improves(value, Best, MinDelta))
        {
            Best = value;
            _badEpochs = 0;
            return;
        }
        if (++_badEpochs >= Patience)
        {
            context.RequestStop(string.Create(CultureInfo.InvariantCulture,
                $"early stopping: {Monitor.Describe()} has not improved on {Best:G5} for {Patience} epochs"));
        }
    }
}
