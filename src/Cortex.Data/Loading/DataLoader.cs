// DataLoader.cs — mini-batches for a hand-written training loop (the Trainer does its own
// batching): shuffles from a seed per epoch, announces the order to an IPlannedDataset (so an
// AugmentedDataset prefetches), and yields batches in tensors it reuses — copy a batch to keep it.
// The order of epoch e is CortexRandom(Mix(seed, e)).Permutation(N), so any epoch can be replayed.
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Data.Loading;

/// <summary>One mini-batch: the images (B, C, H, W) and labels (B), in buffers the loader reuses.</summary>
public readonly record struct LoaderBatch(int Index, Tensor Images, ReadOnlyMemory<int> Labels);

/// <summary>Shuffled, batched passes over an <see cref="IDataset"/>.</summary>
/// <example><code>
/// using var augmented = new AugmentedDataset(train, Augmentations.Keras(), new AugmentedDatasetOptions { Seed = 1 });
/// var loader = new DataLoader(augmented, batchSize: 32, seed: 1);
/// foreach (var batch in loader.Epoch(1))
///     Step(batch.Images, batch.Labels.Span);
/// </code></example>
public sealed class DataLoader
{
    private int[] _order = [];
    private Tensor? _full, _partial;
    private int[] _fullLabels = [], _partialLabels = [];

    /// <summary>Batches of <paramref name="batchSize"/> from <paramref name="data"/>.</summary>
    public DataLoader(IDataset data, int batchSize, bool shuffle = true, ulong seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        (Data, BatchSize, Shuffle, Seed, DropLast) = (data, batchSize, shuffle, seed, dropLast);
    }

    /// <summary>The data set batched.</summary>
    public IDataset Data { get; }

    /// <summary>Samples per batch (the last one may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffles.</summary>
    public ulong Seed { get; }

    /// <summary>Whether a last, smaller batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? Data.Count / BatchSize : (Data.Count + BatchSize - 1) / BatchSize;

    /// <summary>The sample order of epoch <paramref name="epoch"/> (a copy).</summary>
    public int[] Order(int epoch)
    {
        var order = Shuffle ? new CortexRandom(CortexRandom.Mix(Seed, (ulong)epoch)).Permutation(Data.Count) : [.. Enumerable.Range(0, Data.Count)];
        return order;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>; each batch's tensors are overwritten by the next.</summary>
    public IEnumerable<LoaderBatch> Epoch(int epoch)
    {
        _order = Order(epoch);
        int batches = BatchCount;
        (Data as IPlannedDataset)?.PlanEpoch(epoch, _order, BatchSize, batches);
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, n = Math.Min(BatchSize, _order.Length - start);
            var (images, labels) = Buffers(n);
            Data.CopyBatch(_order.AsSpan(start, n), images, labels);
            yield return new LoaderBatch(b, images, labels.AsMemory(0, n));
        }
    }

    private (Tensor Images, int[] Labels) Buffers(int n)
    {
        if (n == BatchSize)
        {
            _full ??= new Tensor(new Shape([n, .. Data.SampleShape.Dimensions]));
            if (_fullLabels.Length != n)
                _fullLabels = new int[n];
            return (_full, _fullLabels);
        }
        if (_partial is null || _partial.Shape[0] != n)
        {
            _partial = new Tensor(new Shape([n, .. Data.SampleShape.Dimensions]));
            _partialLabels = new int[n];
        }
        return (_partial, _partialLabels);
    }
}
