// TrainerOptions.cs — the knobs of a training run.
using Cortex.Losses;

namespace Cortex.Training;

/// <summary>How <see cref="Trainer.Fit"/> runs: epochs, batch size, seed, evaluation sampling.</summary>
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

    internal void Validate()
    {
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
