// GradientAverager.cs — averages every step's gradients across ranks while backward runs
// (the design of PyTorch DDP: Li et al. 2020, "PyTorch Distributed", VLDB 13(12)).
//
//   buckets   the trainable parameters in reverse registration order (≈ the order backward
//             produces their gradients), cut into buckets of at most BucketBytes
//   backward  Layer.BackwardCompleted marks the layer's parameters ready; when every parameter of
//             the next bucket is ready, its gradients are copied into the bucket's buffer and its
//             MPI_Iallreduce starts; outstanding reductions are tested (MPI progresses them) at
//             every layer boundary
//   step      BeforeOptimizerStep starts the buckets not yet started, waits for all in order and
//             writes sum / N back into the gradients
//   buffers   the model's buffers (batch-norm running statistics) are averaged the same way, started
//             before backward, so every rank keeps identical weights and statistics
//
// Every rank builds the same buckets from the same model and starts them in the same order (the
// order is fixed by the bucket index, not by timing), as MPI requires of collectives.
using Cortex.Layers;
using Cortex.Tensors;
using Cortex.Training;

namespace Cortex.Distributed;

/// <summary>An <see cref="IGradientHook"/> that averages gradients over all ranks in overlapping buckets.</summary>
public sealed class GradientAverager : IGradientHook, IDisposable
{
    private readonly Mpi _mpi;
    private readonly Layer _model;
    private readonly Parameter[] _parameters;       // bucket order: reverse registration
    private readonly int[] _bucketOf;
    private readonly Bucket[] _buckets;
    private readonly Dictionary<Layer, int[]> _parametersOf = new(ReferenceEqualityComparer.Instance);
    private readonly int[] _readyStep;
    private readonly Tensor[] _buffers;
    private readonly float[] _bufferData;
    private MpiRequest? _bufferRequest;
    private int _step;
    private int _nextBucket;
    private bool _inStep;                            // between BeforeBackward and BeforeOptimizerStep

    /// <summary>Averages <paramref name="model"/>'s gradients over <paramref name="mpi"/>'s ranks in buckets of at most <paramref name="bucketBytes"/>.</summary>
    public GradientAverager(Mpi mpi, Layer model, int bucketBytes = 4 << 20, bool averageBuffers = true)
    {
        _mpi = mpi ?? throw new ArgumentNullException(nameof(mpi));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, sizeof(float));
        _parameters = model.AllParameters().Where(p => p.Trainable).Reverse().ToArray();
        var index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _parameters.Length; i++)
            index[_parameters[i]] = i;

        _bucketOf = new int[_parameters.Length];
        var buckets = new List<Bucket>();
        int capacity = bucketBytes / sizeof(float);
        for (int i = 0; i < _parameters.Length;)
        {
            int first = i, floats = 0;
            while (i < _parameters.Length && (i == first || floats + _parameters[i].Value.Size <= capacity))
            {
                floats += _parameters[i].Value.Size;
                _bucketOf[i] = buckets.Count;
                i++;
            }
            buckets.Add(new Bucket(first, i - first, floats));
        }
        _buckets = [.. buckets];
        _readyStep = new int[_parameters.Length];

        foreach (var layer in model.Descendants())
        {
            _parametersOf[layer] = layer.AllParameters().Where(index.ContainsKey).Select(p => index[p]).ToArray();
            layer.BackwardCompleted = OnBackwardCompleted;
        }

        _buffers = averageBuffers ? model.NamedBuffers().Select(b => b.Value).ToArray() : [];
        _bufferData = new float[_buffers.Sum(b => b.Size)];
    }

    /// <summary>The number of buckets.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Floats in each bucket, in the order they are reduced.</summary>
    public IReadOnlyList<int> BucketSizes => _buckets.Select(b => b.Floats).ToArray();

    /// <summary>How many buckets the last step started during backward (the rest started in BeforeOptimizerStep).</summary>
    public int OverlappedBuckets { get; private set; }

    public void BeforeBackward(Layer model, int batchSize)
    {
        _step++;
        _inStep = true;
        _nextBucket = 0;
        OverlappedBuckets = 0;
        if (_bufferData.Length > 0)
        {
            int at = 0;
            foreach (var buffer in _buffers)
            {
                buffer.Span.CopyTo(_bufferData.AsSpan(at));
                at += buffer.Size;
            }
            _bufferRequest = _mpi.StartAllreduceSum(_bufferData, _bufferData.Length);
        }
    }

    public void BeforeOptimizerStep(Layer model)
    {
        _inStep = false;
        OverlappedBuckets = _nextBucket;
        while (_nextBucket < _buckets.Length)
            Start(_nextBucket++);
        float scale = 1f / _mpi.Size;
        foreach (var bucket in _buckets)
        {
            bucket.Request!.Wait();
            int at = 0;
            for (int i = bucket.First; i < bucket.First + bucket.Count; i++)
            {
                var gradient = _parameters[i].Gradient.Span;
                var sum = bucket.Data.AsSpan(at, gradient.Length);
                System.Numerics.Tensors.TensorPrimitives.Multiply(sum, scale, gradient);
                at += gradient.Length;
            }
            bucket.Request = null;
        }
        if (_bufferRequest is not null)
        {
            _bufferRequest.Wait();
            _bufferRequest = null;
            int at = 0;
            foreach (var buffer in _buffers)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(_bufferData.AsSpan(at, buffer.Size), scale, buffer.Span);
                at += buffer.Size;
            }
        }
    }

    /// <summary>Detaches from the model's layers.</summary>
    public void Dispose()
    {
        foreach (var layer in _parametersOf.Keys)
        {
            if (layer.BackwardCompleted == OnBackwardCompleted)
                layer.BackwardCompleted = null;
        }
    }

    private void OnBackwardCompleted(Layer layer)
    {
        if (!_inStep || !_parametersOf.TryGetValue(layer, out var indices))
            return;                                  // a backward outside a training step (a gradient check): not ours
        foreach (int i in indices)
        {
            if (_readyStep[i] == _step)
                continue;
            _readyStep[i] = _step;
            _buckets[_bucketOf[i]].Ready++;
        }
        while (_nextBucket < _buckets.Length && _buckets[_nextBucket].Ready == _buckets[_nextBucket].Count)
            Start(_nextBucket++);
        for (int b = 0; b < _nextBucket; b++)
            _buckets[b].Request?.Test();            // MPI progresses nonblocking collectives inside its calls
    }

    private void Start(int b)
    {
        var bucket = _buckets[b];
        int at = 0;
        for (int i = bucket.First; i < bucket.First + bucket.Count; i++)
        {
            var gradient = _parameters[i].Gradient.Span;
            gradient.CopyTo(bucket.Data.AsSpan(at));
            at += gradient.Length;
        }
        bucket.Ready = 0;
        bucket.Request = _mpi.StartAllreduceSum(bucket.Data, bucket.Floats);
    }

    private sealed class Bucket(int first, int count, int floats)
    {
        public int First { get; } = first;
        public int Count { get; } = count;
        public int Floats { get; } = floats;
        public float[] Data { get; } = new float[floats];
        public int Ready { get; set; }
        public MpiRequest? Request { get; set; }
    }
}
