// ShardedDataset.cs — one rank's share of every epoch, as a distributed sampler gives it.
//
// Every rank shuffles the full index range with the same seed, exactly as Trainer does in a
// single process (one CortexRandom(seed), Shuffle once per epoch, cumulatively), so all ranks
// hold the same permutation. Global batch k is order[k·G, (k+1)·G) with G = N × B; rank r takes
// its r-th slice of B. A last, smaller global batch of m samples gives every rank ⌊m/N⌋ of them
// (the m mod N left over skip this epoch; with ⌊m/N⌋ = 0 the batch is dropped), so every rank runs
// the same number of equal-sized steps: collectives match, and the average of the ranks' mean
// gradients is the mean gradient of the global batch. The trainer that reads this view must not
// shuffle it (DistributedTrainer turns its shuffling off): local index i is position i of the shard.
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Distributed;

/// <summary>Rank <c>rank</c>'s shard of a data set's shuffled epoch order (a distributed sampler as a data set view).</summary>
public sealed class ShardedDataset : IPlannedDataset
{
    private readonly IDataset _inner;
    private readonly int[] _order;
    private readonly int[] _shard;
    private readonly CortexRandom? _shuffle;
    private readonly int[] _mapped;
    private int _epoch;

    /// <summary>The shard of <paramref name="inner"/> for <paramref name="rank"/> of <paramref name="ranks"/>, per-rank batch <paramref name="batchSize"/>.</summary>
    /// <param name="inner">The full training set (the same on every rank).</param>
    /// <param name="rank">This rank.</param>
    /// <param name="ranks">The number of ranks N.</param>
    /// <param name="batchSize">The per-rank batch B (the global batch is N × B).</param>
    /// <param name="seed">The shuffling seed (TrainerOptions.Seed); null keeps the data set's order.</param>
    /// <param name="dropLast">Drop the last global batch when it is smaller than N × B.</param>
    public ShardedDataset(IDataset inner, int rank, int ranks, int batchSize, ulong? seed, bool dropLast = false)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Rank = rank;
        Ranks = ranks;
        BatchSize = batchSize;
        long global = (long)ranks * batchSize;
        int fullBatches = (int)(inner.Count / global);
        int tail = (int)(inner.Count - fullBatches * global);
        LastBatchSize = dropLast ? 0 : tail / ranks;
        BatchesPerEpoch = fullBatches + (LastBatchSize > 0 ? 1 : 0);
        Count = fullBatches * batchSize + LastBatchSize;
        if (Count == 0)
            throw new ArgumentException($"ShardedDataset: {inner.Count} samples are too few for {ranks} ranks × batch {batchSize}{(dropLast ? " with the last batch dropped" : "")}.", nameof(inner));
        _order = new int[inner.Count];
        for (int i = 0; i < _order.Length; i++)
            _order[i] = i;
        _shard = new int[Count];
        _mapped = new int[Math.Max(batchSize, 1)];
        _shuffle = seed is { } s ? new CortexRandom(s) : null;
        Reshard();
    }

    /// <summary>This rank.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int Ranks { get; }

    /// <summary>The per-rank batch size.</summary>
    public int BatchSize { get; }

    /// <summary>Steps per epoch (the same on every rank).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>This rank's samples in the epoch's last step when the last global batch is short (0 when it is full or dropped).</summary>
    public int LastBatchSize { get; }

    /// <summary>Samples this rank sees per epoch.</summary>
    public int Count { get; }

    public Shape SampleShape => _inner.SampleShape;

    public int NumClasses => _inner.NumClasses;

    /// <summary>The global sample indices of this rank's shard for the current epoch, in step order.</summary>
    public ReadOnlySpan<int> Indices => _shard;

    /// <summary>Moves to epoch <paramref name="epoch"/> (reshuffling once per new epoch, as Trainer does) and forwards the plan.</summary>
    public void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount)
    {
        while (_epoch < epoch)
        {
            _epoch++;
            if (_shuffle is not null)
                _shuffle.Shuffle(_order.AsSpan());
            Reshard();
        }
        if (_inner is IPlannedDataset planned)
        {
            var mapped = new int[order.Length];
            for (int i = 0; i < order.Length; i++)
                mapped[i] = _shard[order[i]];
            planned.PlanEpoch(epoch, mapped, batchSize, batchCount);
        }
    }

    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        var mapped = indices.Length <= _mapped.Length ? _mapped.AsSpan(0, indices.Length) : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
            mapped[i] = _shard[indices[i]];
        _inner.CopyBatch(mapped, images, labels);
    }

    private void Reshard()
    {
        int global = Ranks * BatchSize;
        int full = LastBatchSize > 0 ? BatchesPerEpoch - 1 : BatchesPerEpoch;
        int at = 0;
        for (int k = 0; k < full; k++)
        {
            _order.AsSpan(k * global + Rank * BatchSize, BatchSize).CopyTo(_shard.AsSpan(at));
            at += BatchSize;
        }
        if (LastBatchSize > 0)
            _order.AsSpan(full * global + Rank * LastBatchSize, LastBatchSize).CopyTo(_shard.AsSpan(at));
    }
}
