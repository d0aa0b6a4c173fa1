// AugmentedDataset.cs — the training-time data loader: an in-memory ImageDataset seen through a
// Transform, batch by batch, on worker threads, with the next batches prepared while the model
// trains on the current one.
//
//   Trainer.Fit ──PlanEpoch(epoch, order)──▶ producer thread ──fills──▶ slot[j % D] (D = Prefetch)
//   Trainer.Fit ──CopyBatch(batch j)───────▶ waits for slot j, copies it out, frees the slot
//
// Determinism: sample b of the j-th batch of an epoch is transformed with a generator seeded from
// Mix(Mix(Mix(Seed, epoch), j), b), whatever thread does it and whether it was prefetched, so the
// batches depend only on the seed and the batch order — not on Workers or Prefetch. A plan for the
// rest of an epoch (PlanEpoch with firstBatch, after a resume or a batch-size change) keeps j the
// batch's number in the whole epoch, so a resumed run sees the images an uninterrupted one would.
// Without a plan (a caller that just calls CopyBatch), epoch is the last planned one (0 if none)
// and j counts the calls since (plus the plan's first batch).
//
// Prefetch runs only for the order announced by PlanEpoch; a CopyBatch whose indices differ from
// the plan (or that comes after it) cancels the producer and transforms on the spot, with the same
// generator seeds. Memory: the slots (D batch tensors) and index buffers are allocated when the
// batch size is first seen; steady-state batches allocate nothing. CopyBatch is meant for one
// consumer thread (the trainer's).
using System.Runtime.ExceptionServices;
using Cortex.Data.Transforms;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Data.Loading;

/// <summary>An <see cref="ImageDataset"/> augmented on the fly by a <see cref="Transform"/>, with prefetching.</summary>
/// <example><code>
/// var (train, test) = DataSources.Load("cifar10");
/// using var augmented = new AugmentedDataset(train, Augmentations.Cifar(new ImageSize(3, 32, 32)), new AugmentedDatasetOptions { Seed = 1 });
/// var trainer = new Trainer(model, new SoftmaxCrossEntropy(), optimizer, new TrainerOptions { Epochs = 30, Seed = 1 });
/// trainer.Fit(augmented, test);                 // every epoch sees freshly augmented images
/// </code></example>
public sealed class AugmentedDataset : IPlannedDataset, IDisposable
{
    private readonly ImageDataset _source;
    private readonly ImageSize _inputSize, _outputSize;
    private readonly WorkerPool _pool;
    private readonly CortexRandom[] _random;           // one per worker, reseeded per sample
    private readonly BatchJob _syncJob, _prefetchJob;
    private int[] _syncIndices = [];

    // The current plan (owned by the consumer thread; read by the producer only while it runs).
    private int[] _plan = [];
    private int _planLength, _planBatchSize, _planBatches;
    private int _epoch;
    private int _calls;                                 // CopyBatch calls since the last plan
    private int _firstBatch;                            // the epoch's batch number of the plan's batch 0

    // Prefetch state, guarded by _gate.
    private readonly object _gate = new();
    private Tensor[] _slots = [];
    private int[][] _slotLabels = [];
    private Thread? _producer;
    private int _produced, _consumed;
    private bool _cancel;
    private ExceptionDispatchInfo? _producerFailure;
    private bool _disposed;

    /// <summary>Views <paramref name="source"/> through <paramref name="transform"/>.</summary>
    /// <exception cref="ArgumentException">The transform cannot take the source's images.</exception>
    public AugmentedDataset(ImageDataset source, Transform transform, AugmentedDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(transform);
        Options = options ?? new AugmentedDatasetOptions();
        Options.Validate();
        _source = source;
        Transform = transform;
        _inputSize = ImageSize.FromShape(source.SampleShape);
        _outputSize = transform.OutputSize(_inputSize);
        SampleShape = _outputSize.ToShape();
        _pool = new WorkerPool(Options.Workers, "cortex-augment");
        _random = [.. Enumerable.Range(0, Options.Workers).Select(_ => new CortexRandom(0))];
        _syncJob = new BatchJob(this);
        _prefetchJob = new BatchJob(this);
    }

    /// <summary>The images before augmentation.</summary>
    public ImageDataset Source => _source;

    /// <summary>The transform applied to every sample.</summary>
    public Transform Transform { get; }

    /// <summary>Seed, workers and prefetch depth.</summary>
    public AugmentedDatasetOptions Options { get; }

    /// <inheritdoc/>
    public int Count => _source.Count;

    /// <summary>The shape of one augmented sample (the transform's output size).</summary>
    public Shape SampleShape { get; }

    /// <inheritdoc/>
    public int NumClasses => _source.NumClasses;

    /// <summary>Class names of the source.</summary>
    public IReadOnlyList<string> ClassNames => _source.ClassNames;

    /// <inheritdoc/>
    public void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount) => PlanEpoch(epoch, order, batchSize, batchCount, 0);

    /// <inheritdoc/>
    public void PlanEpoch(int epoch, ReadOnlySpan<int> order, int batchSize, int batchCount, int firstBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(batchCount);
        if (batchCount > (order.Length + batchSize - 1) / batchSize)
            throw new ArgumentException(
                $"AugmentedDataset: expected {batchCount} batches of {batchSize} to fit an order of {order.Length} indices.", nameof(batchCount));
        StopProducer();
        if (_plan.Length < order.Length)
            _plan = new int[order.Length];
        order.CopyTo(_plan);
        for (int i = 0; i < order.Length; i++)
        {
            if ((uint)order[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(order), $"AugmentedDataset: expected indices in [0, {Count}), got {order[i]} at position {i}.");
        }
        (_planLength, _planBatchSize, _planBatches, _epoch, _calls, _firstBatch) = (order.Length, batchSize, batchCount, epoch, 0, firstBatch);
        if (Options.Prefetch == 0 || batchCount == 0)
            return;

        if (_slots.Length != Options.Prefetch || _slots[0].Shape[0] != batchSize)
        {
            _slots = [.. Enumerable.Range(0, Options.Prefetch).Select(_ => new Tensor(_outputSize.ToBatchShape(batchSize)))];
            _slotLabels = [.. Enumerable.Range(0, Options.Prefetch).Select(_ => new int[batchSize])];
        }
        lock (_gate)
        {
            (_produced, _consumed, _cancel, _producerFailure) = (0, 0, false, null);
        }
        _producer = new Thread(Produce) { IsBackground = true, Name = "cortex-prefetch" };
        _producer.Start();
    }

    /// <summary>
    /// Writes the augmented samples at <paramref name="indices"/> into <paramref name="images"/> (B, C, H′, W′) and their
    /// labels into <paramref name="labels"/>; from the prefetched batch when it is the next one planned.
    /// </summary>
    public void CopyBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(images);
        CheckBatch(indices, images, labels);
        int call = _calls++;
        if (_producer is not null && call < _planBatches && MatchesPlan(call, indices))
        {
            int slot = call % _slots.Length;
            lock (_gate)
            {
                while (_produced <= call && _producerFailure is null)
                    Monitor.Wait(_gate);
            }
            _producerFailure?.Throw();
            int n = indices.Length;
            _slots[slot].Span[..(n * _outputSize.Length)].CopyTo(images.Span);
            _slotLabels[slot].AsSpan(0, n).CopyTo(labels);
            lock (_gate)
            {
                _consumed++;
                Monitor.PulseAll(_gate);
            }
            return;
        }

        StopProducer();
        if (_syncIndices.Length < indices.Length)
            _syncIndices = new int[indices.Length];
        indices.CopyTo(_syncIndices);
        _syncJob.Set(_syncIndices.AsMemory(0, indices.Length), images.Memory, BatchKey(_epoch, _firstBatch + call));
        _pool.Run(_syncJob, indices.Length);
        for (int b = 0; b < indices.Length; b++)
            labels[b] = _source.Labels[indices[b]];
    }

    /// <summary>Stops prefetching and the worker threads.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        StopProducer();
        _pool.Dispose();
        _disposed = true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{_source.Name} → {Transform.Name}: {Count} images {SampleShape}";

    // ---- prefetching -----------------------------------------------------------------------

    private void Produce()
    {
        try
        {
            for (int j = 0; j < _planBatches; j++)
            {
                lock (_gate)
                {
                    while (_produced - _consumed >= _slots.Length && !_cancel)
                        Monitor.Wait(_gate);
                    if (_cancel)
                        return;
                }
                int start = j * _planBatchSize, n = Math.Min(_planBatchSize, _planLength - start);
                int slot = j % _slots.Length;
                _prefetchJob.Set(_plan.AsMemory(start, n), _slots[slot].Memory, BatchKey(_epoch, _firstBatch + j));
                _pool.Run(_prefetchJob, n);
                var slotLabels = _slotLabels[slot];
                for (int b = 0; b < n; b++)
                    slotLabels[b] = _source.Labels[_plan[start + b]];
                lock (_gate)
                {
                    _produced++;
                    Monitor.PulseAll(_gate);
                }
            }
        }
#pragma warning disable CA1031 // a failure is rethrown on the trainer's thread by the CopyBatch that waits for it
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _producerFailure = ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void StopProducer()
    {
        var producer = _producer;
        if (producer is null)
            return;
        lock (_gate)
        {
            _cancel = true;
            Monitor.PulseAll(_gate);
        }
        producer.Join();
        _producer = null;
    }

    private bool MatchesPlan(int batch, ReadOnlySpan<int> indices)
    {
        int start = batch * _planBatchSize, n = Math.Min(_planBatchSize, _planLength - start);
        return indices.Length == n && indices.SequenceEqual(_plan.AsSpan(start, n));
    }

    private ulong BatchKey(int epoch, int batch) => CortexRandom.Mix(CortexRandom.Mix(Options.Seed, (ulong)epoch), (ulong)batch);

    private void CheckBatch(ReadOnlySpan<int> indices, Tensor images, Span<int> labels)
    {
        var shape = images.Shape;   // compared dimension by dimension: building a Shape would allocate per batch
        if (shape.Rank != 4 || shape[0] != indices.Length || shape[1] != _outputSize.Channels || shape[2] != _outputSize.Height || shape[3] != _outputSize.Width)
            throw new ArgumentException(
                $"AugmentedDataset {_source.Name}: expected a batch tensor {_outputSize.ToBatchShape(indices.Length)} for {indices.Length} indices, got {shape}.",
                nameof(images));
        if (labels.Length != indices.Length)
            throw new ArgumentException($"AugmentedDataset {_source.Name}: expected a label buffer of {indices.Length}, got {labels.Length}.", nameof(labels));
        for (int b = 0; b < indices.Length; b++)
        {
            if ((uint)indices[b] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"AugmentedDataset {_source.Name}: expected indices in [0, {Count}), got {indices[b]} at batch position {b}.");
        }
    }

    /// <summary>Transforms the samples of one batch into a target buffer, one sample per work item.</summary>
    private sealed class BatchJob(AugmentedDataset owner) : IWorkItems
    {
        private ReadOnlyMemory<int> _indices;
        private Memory<float> _target;
        private ulong _key;

        public void Set(ReadOnlyMemory<int> indices, Memory<float> target, ulong key) => (_indices, _target, _key) = (indices, target, key);

        public void Execute(int index, int worker)
        {
            int inLength = owner._inputSize.Length, outLength = owner._outputSize.Length;
            var random = owner._random[worker];
            random.Reset(CortexRandom.Mix(_key, (ulong)index));
            int sample = _indices.Span[index];
            owner.Transform.Apply(
                owner._source.Images.Span.Slice(sample * inLength, inLength), owner._inputSize,
                _target.Span.Slice(index * outLength, outLength), random);
        }
    }
}
