// AugmentedDatasetOptions.cs — seed, threads and prefetch depth of an AugmentedDataset.
namespace Cortex.Data.Loading;

/// <summary>How an <see cref="AugmentedDataset"/> runs: its seed, worker threads and prefetch depth.</summary>
/// <example><code>
/// var options = new AugmentedDatasetOptions { Seed = 42, Workers = 2, Prefetch = 2 };
/// </code></example>
public sealed record AugmentedDatasetOptions
{
    /// <summary>Seed of every random draw of the transforms; with the batch order it fixes every batch.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Threads that transform the samples of a batch (the calling or prefetching thread included). Defaults to half the
    /// processors, at most 4: the other half stays with the model's kernels.
    /// </summary>
    public int Workers { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 4);

    /// <summary>
    /// How many batches are prepared ahead while the model trains, when the trainer announces the epoch's order
    /// (<see cref="Cortex.Training.IPlannedDataset"/>); 0 transforms each batch when it is asked for.
    /// </summary>
    public int Prefetch { get; init; } = 2;

    internal void Validate()
    {
        if (Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(Workers), $"AugmentedDatasetOptions: expected at least 1 worker, got {Workers}.");
        if (Prefetch < 0)
            throw new ArgumentOutOfRangeException(nameof(Prefetch), $"AugmentedDatasetOptions: expected a prefetch depth ≥ 0, got {Prefetch}.");
    }
}
