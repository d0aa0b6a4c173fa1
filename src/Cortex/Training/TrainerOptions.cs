// TrainerOptions.cs — the knobs of a training run.
using Cortex.Losses;

namespace Cortex.Training;

/// <summary>How <see cref="Trainer.Fit(IDataset, IDataset?, CancellationToken)"/> runs: epochs, batch size, seed, evaluation sampling.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the shuffling order (and of the evaluation sample); same seed, same run.</summary>
    public ulong Seed { get; init; }

    /// <summary>Reshuffle the training set every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Skip the last batch of an epoch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// Evaluate on only this many validation samples per epoch (drawn once from the seed), like the
    /// lectures' <c>evaluate_sample_num_per_epoch</c>; null evaluates them all.
    /// </summary>
    public int? ValidationSampleCount { get; init; }

    /// <summary>Batch size for evaluation (inference only, so it can be larger).</summary>
    public int EvaluationBatchSize { get; init; } = 256;

    /// <summary>An extra penalty on the weights, included in the reported loss and in the gradients.</summary>
    public Regularizer? Regularizer { get; init; }

    /// <summary>
    /// Check every gradient for NaN and infinity before each optimizer step (one read of the gradients), so a
    /// numeric fault stops the run naming the layer before it reaches the weights. Default true.
    /// </summary>
    public bool CheckGradients { get; init; } = true;

    /// <summary>
    /// Stop (with <see cref="TrainingDivergedException"/>) when the batch loss stays above this many times
    /// max(first batch's loss, 1) for <see cref="DivergencePatience"/> batches in a row; null turns the check off.
    /// Default 1000: a cross-entropy that starts at ln 10 ≈ 2.3 must stay above 2,300 (a healthy run never comes
    /// near; Adam at lr 1e6 reaches 1e35 within a few batches).
    /// </summary>
    public double? DivergenceFactor { get; init; } = 1000;

    /// <summary>How many batches in a row the loss must stay above the divergence limit (default 10).</summary>
    public int DivergencePatience { get; init; } = 10;

    internal void Validate()
    {
        if (DivergenceFactor is { } factor && !(factor > 1 && double.IsFinite(factor)))
            throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), $"TrainerOptions: expected a divergence factor > 1 (or null for none), got {factor}.");
        if (DivergencePatience < 1)
            throw new ArgumentOutOfRangeException(nameof(DivergencePatience), $"TrainerOptions: expected a divergence patience ≥ 1, got {DivergencePatience}.");
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), $"TrainerOptions: expected at least 1 epoch, got {Epochs}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), $"TrainerOptions: expected a batch size ≥ 1, got {BatchSize}.");
        if (EvaluationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(EvaluationBatchSize), $"TrainerOptions: expected an evaluation batch size ≥ 1, got {EvaluationBatchSize}.");
        if (ValidationSampleCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(ValidationSampleCount), $"TrainerOptions: expected a validation sample count ≥ 1, got {ValidationSampleCount}.");
    }
}
