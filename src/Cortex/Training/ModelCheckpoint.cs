// ModelCheckpoint.cs — save the model whenever the monitored figure improves (or every epoch).
// Saves are atomic, so the last good checkpoint survives a crash or a diverging run.
using Cortex.Serialization;

namespace Cortex.Training;

/// <summary>Saves the model to <see cref="Path"/> when <see cref="Monitor"/> improves (or after every epoch).</summary>
public sealed class ModelCheckpoint(string path, string? architecture = null, Monitor monitor = Monitor.ValidationAccuracy, bool saveBestOnly = true) : TrainingCallback
{
    public string Path { get; } = !string.IsNullOrEmpty(path) ? path : throw new ArgumentException("ModelCheckpoint: expected a file path, got an empty string.", nameof(path));
    public Monitor Monitor { get; } = monitor;
    public bool SaveBestOnly { get; } = saveBestOnly;

    /// <summary>The best monitored value saved so far.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>The epoch of the last save, or 0 when nothing has been saved.</summary>
    public int SavedEpoch { get; private set; }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        double value = Monitor.Read(record);
        bool improved = Monitor.Improves(value, Best, 0);
        if (improved)
            Best = value;
        if (improved || !SaveBestOnly)
        {
            ModelFile.Save(context.Model, Path, architecture);
            SavedEpoch = record.Epoch;
        }
    }
}
