// EpochRecord.cs — one row of a training history: what an epoch measured.
namespace Cortex.Training;

/// <summary>The measurements of one epoch. Validation values are NaN when there was no validation set.</summary>
public sealed record EpochRecord(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond);
