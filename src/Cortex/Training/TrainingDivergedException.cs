// TrainingDivergedException.cs — the loss became NaN or infinite during training.
namespace Cortex.Training;

/// <summary>Training stopped because the loss became NaN or infinite; the message names the epoch and step.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException() { }

    public TrainingDivergedException(string message) : base(message) { }

    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException) { }
}
