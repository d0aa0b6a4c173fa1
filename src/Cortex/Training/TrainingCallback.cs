// TrainingCallback.cs — hooks into the training loop (progress, early stopping, checkpoints).
// The trainer calls them in order; a callback may ask the run to stop through the context.
using Cortex.Layers;
using Cortex.Optimizers;

namespace Cortex.Training;

/// <summary>What a callback can see of the run, and how it can stop it.</summary>
public sealed class TrainingContext(Layer model, Optimizer optimizer, int epochs, int trainCount, int batchesPerEpoch)
{
    public Layer Model { get; } = model;
    public Optimizer Optimizer { get; } = optimizer;
    public int Epochs { get; } = epochs;
    public int TrainCount { get; } = trainCount;
    public int BatchesPerEpoch { get; } = batchesPerEpoch;
    public History History { get; } = new();

    /// <summary>Set by <see cref="RequestStop"/>: the trainer ends after the current epoch.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Asks the trainer to stop after this epoch, with a reason kept in the history.</summary>
    public void RequestStop(string reason)
    {
        StopRequested = true;
        History.StopReason ??= reason;
    }
}

/// <summary>Running figures of the current epoch, passed after every batch.</summary>
public readonly record struct BatchProgress(
    int Epoch, int Batch, int BatchesPerEpoch, int Seen, int Total,
    double Loss, double Accuracy, double ImagesPerSecond, TimeSpan Elapsed)
{
    /// <summary>Estimated time to the end of the epoch.</summary>
    public TimeSpan Remaining => ImagesPerSecond > 0 ? TimeSpan.FromSeconds((Total - Seen) / ImagesPerSecond) : TimeSpan.Zero;
}

/// <summary>Hooks into the training loop; override what you need.</summary>
public abstract class TrainingCallback
{
    public virtual void OnTrainBegin(TrainingContext context) { }

    public virtual void OnEpochBegin(TrainingContext context, int epoch) { }

    /// <summary>After every batch. Keep it cheap: it runs inside the timed loop.</summary>
    public virtual void OnBatchEnd(TrainingContext context, in BatchProgress progress) { }

    /// <summary>After the epoch's evaluation, with its record already in the history.</summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochRecord record) { }

    public virtual void OnTrainEnd(TrainingContext context) { }
}

/// <summary>Which figure a callback watches.</summary>
public enum Monitor
{
    /// <summary>Validation accuracy (train accuracy when there is no validation set); higher is better.</summary>
    ValidationAccuracy,

    /// <summary>Validation loss (train loss when there is no validation set); lower is better.</summary>
    ValidationLoss,
}

internal static class MonitorExtensions
{
    public static double Read(this Monitor monitor, EpochRecord r) => monitor switch
    {
        Monitor.ValidationAccuracy => double.IsNaN(r.ValidationAccuracy) ? r.TrainAccuracy : r.ValidationAccuracy,
        _ => double.IsNaN(r.ValidationLoss) ? r.TrainLoss : r.ValidationLoss,
    };

    public static bool Improves(this Monitor monitor, double value, double best, double minDelta) =>
        double.IsNaN(best) || (monitor == Monitor.ValidationAccuracy ? value > best + minDelta : value < best - minDelta);

    public static string Describe(this Monitor monitor) =>
        monitor == Monitor.ValidationAccuracy ? "validation accuracy" : "validation loss";
}
