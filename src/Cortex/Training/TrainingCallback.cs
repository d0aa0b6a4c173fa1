// TrainingCallback.cs — hooks into the training loop (progress, early stopping, checkpoints).
// The trainer calls them in order; a callback may ask the run to stop through the context.
using Cortex.Layers;
using Cortex.Optimizers;
using Cortex.Tensors;

namespace Cortex.Training;

/// <summary>What a callback can see of the run, and how it can steer it (stop, change the batch size).</summary>
public sealed class TrainingContext
{
    private readonly bool _dropLast;
    private int _requestedBatchSize;
    private long _pausedTicks;

    public TrainingContext(Layer model, Optimizer optimizer, int epochs, int trainCount, int batchSize, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        TrainCount = trainCount;
        _dropLast = dropLast;
        BatchSize = Math.Min(batchSize, Math.Max(trainCount, 1));
        BatchesPerEpoch = BatchesFor(trainCount);
    }

    public Layer Model { get; }
    public Optimizer Optimizer { get; }
    public int Epochs { get; }
    public int TrainCount { get; }
    public History History { get; } = new();

    /// <summary>Samples per mini-batch now (the trainer's option, until <see cref="RequestBatchSize"/> changes it).</summary>
    public int BatchSize { get; private set; }

    /// <summary>Batches in the current epoch (when the batch size changes mid-epoch, the batches done plus those left).</summary>
    public int BatchesPerEpoch { get; private set; }

    /// <summary>Set by <see cref="RequestStop"/>: the trainer ends after the current epoch.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>Time callbacks held the training thread on purpose (a paused dashboard); epoch timings leave it out.</summary>
    public TimeSpan PausedTime => TimeSpan.FromTicks(Interlocked.Read(ref _pausedTicks));

    /// <summary>Asks the trainer to stop after this epoch, with a reason kept in the history.</summary>
    public void RequestStop(string reason)
    {
        StopRequested = true;
        History.StopReason ??= reason;
    }

    /// <summary>
    /// Asks for mini-batches of <paramref name="batchSize"/> from the next batch on (clamped to the training set's
    /// size); the rest of the epoch is re-planned. Safe to call from any thread; the last request wins.
    /// </summary>
    public void RequestBatchSize(int batchSize)
    {
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"TrainingContext: expected a batch size ≥ 1, got {batchSize}.");
        Volatile.Write(ref _requestedBatchSize, batchSize);
    }

    /// <summary>A callback that held the training thread (paused) reports how long, so images/s and epoch times exclude it.</summary>
    public void ReportPause(TimeSpan duration) => Interlocked.Add(ref _pausedTicks, Math.Max(duration.Ticks, 0));

    /// <summary>
    /// Applies a pending batch-size request before a batch, with <paramref name="remaining"/> samples left in the epoch
    /// after <paramref name="done"/> batches, and recounts the epoch's batches (always at an epoch's start, done = 0).
    /// Returns whether the batch size changed.
    /// </summary>
    internal bool ApplyBatchSizeRequest(int remaining, int done = 0)
    {
        int requested = Interlocked.Exchange(ref _requestedBatchSize, 0);
        int size = Math.Min(requested, Math.Max(TrainCount, 1));
        bool changed = requested > 0 && size != BatchSize;
        if (changed)
            BatchSize = size;
        if (changed || done == 0)
            BatchesPerEpoch = done + BatchesFor(remaining);
        return changed;
    }

    /// <summary>The batch size a callback asked for that is not applied yet (0: none).</summary>
    internal int PendingBatchSize => Volatile.Read(ref _requestedBatchSize);

    /// <summary>Puts back the batch size, the epoch's batch count and a pending request saved by a training checkpoint.</summary>
    internal void Restore(int batchSize, int batchesPerEpoch, int pendingBatchSize)
    {
        BatchSize = Math.Clamp(batchSize, 1, Math.Max(TrainCount, 1));
        BatchesPerEpoch = batchesPerEpoch;
        Volatile.Write(ref _requestedBatchSize, pendingBatchSize);
    }

    private int BatchesFor(int samples) => _dropLast ? samples / BatchSize : (samples + BatchSize - 1) / BatchSize;
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

    /// <summary>
    /// Writes what this callback has learnt so far (a best value, a patience count, kept weights) into
    /// <paramref name="state"/>, so a run resumed from a training checkpoint continues as if never stopped.
    /// Callbacks that only show or log things keep nothing.
    /// </summary>
    public virtual void SaveState(CallbackState state) { }

    /// <summary>Puts back what <see cref="SaveState"/> wrote; called on a resume, right after <see cref="OnTrainBegin"/>.</summary>
    public virtual void RestoreState(CallbackState state) { }
}

/// <summary>
/// A callback's saved state inside a training checkpoint: named numbers and named tensors. Numbers are
/// stored bit for bit (a double survives exactly).
/// </summary>
public sealed class CallbackState
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>The saved numbers, by name.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>The saved tensors, by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Whether nothing was saved.</summary>
    public bool IsEmpty => _values.Count == 0 && _tensors.Count == 0;

    /// <summary>Saves <paramref name="value"/> under <paramref name="name"/>.</summary>
    public void Set(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _values[name] = value;
    }

    /// <summary>Saves <paramref name="value"/> (the tensor itself; the checkpoint writer copies it out) under <paramref name="name"/>.</summary>
    public void Set(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException($"CallbackState: tensor names may not contain '/', got '{name}'.", nameof(name));
        _tensors[name] = value;
    }

    /// <summary>The number saved under <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public double Get(string name, double fallback = double.NaN) => _values.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>The tensor saved under <paramref name="name"/>, or null.</summary>
    public Tensor? GetTensor(string name) => _tensors.TryGetValue(name, out var t) ? t : null;
}

/// <summary>Which figure a callback watches.</summary>
public enum MonitorMetric
{
    /// <summary>Validation accuracy (train accuracy when there is no validation set); higher is better.</summary>
    ValidationAccuracy,

    /// <summary>Validation loss (train loss when there is no validation set); lower is better.</summary>
    ValidationLoss,
}

internal static class MonitorExtensions
{
    public static double Read(this MonitorMetric monitor, EpochRecord r) => monitor switch
    {
        MonitorMetric.ValidationAccuracy => double.IsNaN(r.ValidationAccuracy) ? r.TrainAccuracy : r.ValidationAccuracy,
        _ => double.IsNaN(r.ValidationLoss) ? r.TrainLoss : r.ValidationLoss,
    };

    public static bool Improves(this MonitorMetric monitor, double value, double best, double minDelta) =>
        double.IsNaN(best) || (monitor == MonitorMetric.ValidationAccuracy ? value > best + minDelta : value < best - minDelta);

    public static string Describe(this MonitorMetric monitor) =>
        monitor == MonitorMetric.ValidationAccuracy ? "validation accuracy" : "validation loss";
}
