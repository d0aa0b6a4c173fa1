// TrialResult.cs — what one hyper-parameter trial produced: its validation score and how long it took.
namespace Cortex.Data.Search;

/// <summary>A trial's score on validation data.</summary>
public readonly record struct TrialScore(double ValidationAccuracy, double ValidationLoss, double TrainAccuracy = double.NaN, double TrainLoss = double.NaN);

/// <summary>One trial: its number (in run order), configuration, score, time and any failure.</summary>
public sealed record TrialResult(int Trial, HyperParameters Config, TrialScore Score, TimeSpan Duration, string? Failure = null);
