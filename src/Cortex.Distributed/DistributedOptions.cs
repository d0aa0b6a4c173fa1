// DistributedOptions.cs — the knobs of data-parallel training on top of TrainerOptions.
namespace Cortex.Distributed;

/// <summary>How <see cref="DistributedTrainer"/> spreads a run over the ranks.</summary>
public sealed record DistributedOptions
{
    /// <summary>The most bytes of gradients per allreduce bucket (PyTorch DDP's bucket_cap_mb; default 4 MB).</summary>
    public int BucketBytes { get; init; } = 4 << 20;

    /// <summary>
    /// Multiply the optimizer's learning rate by the number of ranks (the linear scaling rule of Goyal et al. 2017,
    /// "Accurate, Large Minibatch SGD", arXiv:1706.02677: the global batch is N × the per-rank batch).
    /// </summary>
    public bool ScaleLearningRate { get; init; }

    /// <summary>Average the model's buffers (batch-norm running statistics) over the ranks every step, so all ranks stay identical (default on).
    /// Without <see cref="SyncBatchNorm"/>, batch normalisation itself uses each rank's local batch statistics.</summary>
    public bool AverageBuffers { get; init; } = true;

    /// <summary>
    /// Synchronised batch norm (default off): every batch-norm layer normalises by the mean and variance of the global batch,
    /// summed over the ranks in forward and backward (<see cref="Distributed.SyncBatchNorm"/>), so N ranks compute the
    /// gradients of one process on the global batch. The running statistics are then the same on every rank and are not averaged.
    /// </summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>When a rank fails (an exception out of Fit) with more than one rank, print the failure naming the rank and end the whole job with MPI_Abort (default on), so no rank waits forever.</summary>
    public bool AbortOnFailure { get; init; } = true;
}
