// BatchNorm.cs — batch normalization (Ioffe & Szegedy 2015), shared by BatchNorm1d and BatchNorm2d.
//
//   x: (N, C, inner…) viewed as (N, C, S), S = product of the axes after C (1 for (N, D))
//   per channel c, over the m = N·S values of that channel:
//
//   training   μ = Σx / m,  σ² = Σ(x − μ)² / m             (biased variance normalizes, as PyTorch)
//              x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β
//              running_mean ← (1 − momentum)·running_mean + momentum·μ
//              running_var  ← (1 − momentum)·running_var  + momentum·σ²·m/(m − 1)   (unbiased)
//   inference  x̂ = (x − running_mean) / √(running_var + ε),  y = γ x̂ + β
//
//   backward (training; μ and σ² depend on x):
//              dβ += Σ dy,  dγ += Σ dy·x̂
//              dx  = γ / (m √(σ² + ε)) · (m·dy − Σ dy − x̂·Σ dy·x̂)
//   backward (inference; the statistics are constants):
//              dx  = γ / √(running_var + ε) · dy
//   synchronised (StatisticsReducer set, Cortex.Distributed's SyncBatchNorm): m, μ and σ² are those of
//              the global batch over all replicas, in the same two passes as above: (Σx per channel, m)
//              summed over replicas → μ; Σ(x − μ)² summed over replicas → σ². Backward sums Σ dy and
//              Σ dy·x̂ over replicas for dx (PyTorch's SyncBatchNorm does the same reductions); dγ and dβ
//              keep the local sums, which the gradient averaging of data parallelism then averages.
//              With each replica's loss the mean over its own B samples, the replicas' dx are N × the
//              global batch's, and so are the weight gradients below; averaged over N they are the global ones.
//   with relu (Forward(x, training, relu: true)): y = max(γ x̂ + β, 0) in the same pass, and backward
//              first gates dy by the ReLU (dy where γ x̂ + β > 0), recomputed from x (AffineKernels'
//              gated forms): the ReLU's output and its gradient are never stored — two memory passes
//              fewer per ReLU, which is what a ResNet block's bn1 → relu1 costs otherwise.
//
// Sums run in double across planes: a channel of a big batch holds 10⁵–10⁶ values, and float sums
// of that many lose the digits the variance lives in; within a plane, blocks of up to 4,096 values
// are summed by vectorized TensorPrimitives calls. x̂ is not stored; Backward uses
// Σ dy·x̂ = (Σ dy·x − μ Σ dy)/σ and dx = A·dy + B·x + C per channel (AffineKernels, one pass each). Channels are split across
// threads (ChannelWork), one thread per channel, so results do not depend on the thread count.
// (N, D) inputs have one value per plane; their channels are walked as strided columns instead.
using System.Numerics.Tensors;
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>
/// Batch normalization over axis 1. Use <see cref="BatchNorm1d"/> for (N, D) or (N, C, L) inputs and
/// <see cref="BatchNorm2d"/> for (N, C, H, W). State-dict keys follow PyTorch: <c>weight</c> (γ),
/// <c>bias</c> (β), buffers <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>.
/// </summary>
public abstract class BatchNorm : Layer
{
    private readonly double[] _sum, _sumSq;          // per-channel scratch (Σdy, Σdy·x̂ in Backward)
    private readonly float[] _mean, _invStd;         // the statistics used by the last Forward
    private readonly float[] _scale, _shift;         // its y = scale·x + shift per channel (the ReLU's gate)
    private Tensor? _input, _output, _inputGradient;
    private double[]? _reduced;                      // synchronised: the statistics sent to the reducer
    private long _count;                             // m of the last training Forward (the global batch's when synchronised)
    private bool _lastTraining, _lastRelu;
    private ChannelWork? _work;

    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">C, the size of axis 1.</param>
    /// <param name="epsilon">Added to the variance before the square root (PyTorch's default 1e-5).</param>
    /// <param name="momentum">Weight of the new batch in the running averages (PyTorch's convention and default 0.1; Keras's momentum 0.99 is 1 − this).</param>
    /// <param name="name">The layer's name.</param>
    protected BatchNorm(int numFeatures, float epsilon, float momentum, string name) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(epsilon > 0f) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"{GetType().Name}: epsilon must be positive, got {epsilon}.");
        if (!(momentum is >= 0f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{GetType().Name}: momentum must be in [0, 1], got {momentum}.");
        NumFeatures = numFeatures;
        Epsilon = epsilon;
        Momentum = momentum;
        ParameterBudget.Reserve(4L * numFeatures, name);              // weight, bias, running mean and variance
        Weight = new Parameter("weight", Tensor.Ones(new Shape(numFeatures)));
        Bias = new Parameter("bias", new Tensor(numFeatures));
        RunningMean = new Tensor(numFeatures);
        RunningVar = Tensor.Ones(new Shape(numFeatures));
        NumBatchesTracked = new Tensor(Shape.Scalar);
        _sum = new double[numFeatures];
        _sumSq = new double[numFeatures];
        _mean = new float[numFeatures];
        _invStd = new float[numFeatures];
        _scale = new float[numFeatures];
        _shift = new float[numFeatures];
    }

    /// <summary>C, the number of channels (features) normalized separately.</summary>
    public int NumFeatures { get; }

    /// <summary>ε, added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>The weight of each new batch in the running averages (PyTorch convention).</summary>
    public float Momentum { get; }

    /// <summary>γ, the per-channel scale, shape (C), initially 1.</summary>
    public Parameter Weight { get; }

    /// <summary>β, the per-channel shift, shape (C), initially 0.</summary>
    public Parameter Bias { get; }

    /// <summary>The running mean used in inference, shape (C), initially 0.</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running (unbiased) variance used in inference, shape (C), initially 1.</summary>
    public Tensor RunningVar { get; }

    /// <summary>How many training batches have updated the running statistics (a scalar, stored as float).</summary>
    public Tensor NumBatchesTracked { get; }

    public override IEnumerable<Parameter> Parameters => [Weight, Bias];

    public override IEnumerable<(string Name, Tensor Value)> Buffers =>
        [("running_mean", RunningMean), ("running_var", RunningVar), ("num_batches_tracked", NumBatchesTracked)];

    /// <summary>Whether an input of this rank is accepted (axis 1 is always the channel axis).</summary>
    protected abstract bool AcceptsRank(int rank);

    /// <summary>The expected input, as shown in errors: <c>[N, 16, H, W]</c>.</summary>
    protected abstract string ExpectedInput { get; }

    public override Shape OutputShape(Shape input)
    {
        if (!AcceptsRank(input.Rank) || input[1] != NumFeatures)
            throw InputShapeError(ExpectedInput, input, "Check numFeatures against the previous layer's output channels.");
        return input;
    }

    /// <summary>
    /// True when both γ and β are frozen (<see cref="Parameter.Trainable"/> false). A frozen batch norm
    /// normalizes with its running statistics and leaves them unchanged even in training mode, and its
    /// backward is the inference one (dx = γ/√(running_var + ε)·dy): what Keras does for a
    /// BatchNormalization layer with trainable = False ("the layer will run in inference mode",
    /// keras.io/api/layers/normalization_layers/batch_normalization), so that fine-tuning on a small
    /// data set does not overwrite statistics learnt on a large one.
    /// </summary>
    public bool IsFrozen => !Weight.Trainable && !Bias.Trainable;

    /// <summary>
    /// Null (the default): training normalises by the statistics of this process's batch. Set (synchronised batch
    /// norm, for data-parallel training): by those of the global batch, summed over all replicas by the reducer in
    /// Forward and again in Backward, so a data-parallel run computes the gradient of one process on the whole batch.
    /// </summary>
    public IBatchStatisticsReducer? StatisticsReducer { get; set; }

    /// <summary>Whether <see cref="BatchNormFolding.Fold"/> folded this layer into the convolution before it (it then passes its input through).</summary>
    public bool IsFolded => _foldedInto is not null;

    private Layer? _foldedInto;

    internal void MarkFolded(Layer convolution) => _foldedInto = convolution;

    public override Tensor Forward(Tensor input, bool training) => Forward(input, training, relu: false);

    /// <summary>
    /// Forward, then y = max(y, 0) when <paramref name="relu"/> is set, in the same pass; <see cref="Backward"/>
    /// then also takes the gradient through that ReLU. Blocks whose batch norm feeds a ReLU (BasicBlock,
    /// Bottleneck) call this instead of running the ReLU layer. A folded layer passes its input through
    /// either way (BatchNormFolding fused that ReLU into the convolution).
    /// </summary>
    public Tensor Forward(Tensor input, bool training, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_foldedInto is not null)
        {
            if (training)
                throw new InvalidOperationException(
                    $"{Describe()}: folded into {_foldedInto.Describe()} for inference (BatchNormFolding.Fold), so it can no longer train. Reload the model to train it.");
            OutputShape(input.Shape);
            return input;                                  // the convolution before already applied it
        }
        var shape = OutputShape(input.Shape);
        int n = shape[0], c = NumFeatures, s = shape.SizeFrom(2);
        long m = (long)n * s;
        var y = Reuse(ref _output, shape);
        var work = _work ??= new ChannelWork(this);
        training &= !IsFrozen;                             // frozen: running statistics, as in inference

        if (training)
        {
            if (StatisticsReducer is { } reducer)
                m = SynchronisedStatistics(reducer, work, input, y, n, s);      // the global batch's μ, Σ(x − μ)² and m
            else
                work.Run(ChannelWork.Phase.Statistics, input, y, null, null, n, s);   // μ and Σ(x − μ)² per channel
            if (m < 2)
                throw new ArgumentException($"{Describe()}: training needs more than one value per channel to estimate a variance, got input {shape}. Use a batch of 2 or more, or Forward(training: false).");
            _count = m;
            var runMean = RunningMean.Span;
            var runVar = RunningVar.Span;
            for (int ch = 0; ch < c; ch++)
            {
                double variance = _sumSq[ch] / m;                              // biased: normalizes
                _invStd[ch] = (float)(1.0 / Math.Sqrt(variance + Epsilon));
                double unbiased = _sumSq[ch] / (m - 1);                        // unbiased: running estimate
                runMean[ch] = (float)((1.0 - Momentum) * runMean[ch] + Momentum * _mean[ch]);
                runVar[ch] = (float)((1.0 - Momentum) * runVar[ch] + Momentum * unbiased);
            }
            NumBatchesTracked.Span[0] += 1f;
        }
        else
        {
            var runMean = RunningMean.Span;
            var runVar = RunningVar.Span;
            for (int ch = 0; ch < c; ch++)
            {
                _mean[ch] = runMean[ch];
                _invStd[ch] = (float)(1.0 / Math.Sqrt(runVar[ch] + (double)Epsilon));
            }
        }

        var gamma = Weight.Value.Span;
        var beta = Bias.Value.Span;
        for (int ch = 0; ch < c; ch++)
        {
            _scale[ch] = gamma[ch] * _invStd[ch];                              // y = a·x + b: a = γ/σ, b = β − a·μ
            _shift[ch] = beta[ch] - _scale[ch] * _mean[ch];
        }
        _lastRelu = relu;
        work.Run(ChannelWork.Phase.Normalize, input, y, null, null, n, s);       // y = γ (x − μ)/σ + β, max(·, 0) with relu
        _input = input;
        _lastTraining = training;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_foldedInto is not null)
            return outputGradient;                         // an identity now (inference-mode gradients, e.g. saliency)
        var x = _input ?? throw BackwardBeforeForward();
        var shape = x.Shape;
        if (outputGradient.Shape != shape)
            throw OutputGradientShapeError(shape, outputGradient.Shape);
        int n = shape[0], c = NumFeatures, s = shape.SizeFrom(2);
        var work = _work ??= new ChannelWork(this);

        // Σ dy and Σ dy·x̂ per channel: they are dβ and dγ, and the training backward needs them too
        // (a frozen layer ran in inference mode and needs neither)
        if (_lastTraining || Weight.Trainable || Bias.Trainable)
            work.Run(ChannelWork.Phase.GradientSums, x, null, outputGradient, null, n, s);
        if (Weight.Trainable)
        {
            var dGamma = Weight.Gradient.Span;
            for (int ch = 0; ch < c; ch++)
                dGamma[ch] += (float)_sumSq[ch];          // dγ += Σ dy·x̂
        }
        if (Bias.Trainable)
        {
            var dBeta = Bias.Gradient.Span;
            for (int ch = 0; ch < c; ch++)
                dBeta[ch] += (float)_sum[ch];             // dβ += Σ dy
        }

        if (_lastTraining && StatisticsReducer is { } reducer)
        {
            // dx needs Σ dy and Σ dy·x̂ over the global batch; dγ and dβ above took the local ones.
            var sums = (_reduced ??= new double[2 * c + 1]).AsSpan(0, 2 * c);
            _sum.CopyTo(sums);
            _sumSq.CopyTo(sums[c..]);
            reducer.SumInPlace(sums);
            sums[..c].CopyTo(_sum);
            sums[c..].CopyTo(_sumSq);
        }

        var dx = Reuse(ref _inputGradient, shape);
        work.Run(ChannelWork.Phase.InputGradient, x, null, outputGradient, dx, n, s);
        return dx;
    }

    // Synchronised: (Σx per channel, m) summed over the replicas gives μ; then Σ(x − μ)² summed gives σ²·m.
    private long SynchronisedStatistics(IBatchStatisticsReducer reducer, ChannelWork work, Tensor input, Tensor y, int n, int s)
    {
        int c = NumFeatures;
        var reduced = (_reduced ??= new double[2 * c + 1]).AsSpan(0, c + 1);
        work.Run(ChannelWork.Phase.Sums, input, y, null, null, n, s);
        _sum.CopyTo(reduced);
        reduced[c] = (double)n * s;
        reducer.SumInPlace(reduced);
        long m = (long)reduced[c];
        for (int ch = 0; ch < c; ch++)
            _mean[ch] = (float)(reduced[ch] / m);
        work.Run(ChannelWork.Phase.Deviations, input, y, null, null, n, s);
        var squares = _reduced.AsSpan(0, c);
        _sumSq.CopyTo(squares);
        reducer.SumInPlace(squares);
        squares.CopyTo(_sumSq);
        return m;
    }

    /// <summary>
    /// The per-channel passes, channels split across threads (each channel's sums are made by one
    /// thread, in one order, so the result does not depend on the split). Reused: no allocation per call.
    /// Plane sums are vectorized in float over at most <see cref="Block"/> values and added up in double.
    /// </summary>
    private sealed class ChannelWork(BatchNorm layer) : IParallelWork
    {
        private const int Block = 4096;
        private const int MinParallelElements = 1 << 15;

        public enum Phase { Statistics, Sums, Deviations, Normalize, GradientSums, InputGradient }

        private Phase _phase;
        private Tensor? _x, _y, _dy, _dx;
        private int _n, _s, _chunks;

        public void Run(Phase phase, Tensor x, Tensor? y, Tensor? dy, Tensor? dx, int n, int s)
        {
            (_phase, _x, _y, _dy, _dx, _n, _s) = (phase, x, y, dy, dx, n, s);
            int c = layer.NumFeatures;
            _chunks = (long)n * c * s >= MinParallelElements ? Math.Min(c, Parallelism.MaxDegree) : 1;
            try
            {
                if (_chunks == 1)
                    Execute(0);
                else
                    Parallelism.For(_chunks, this);
            }
            finally
            {
                (_x, _y, _dy, _dx) = (null, null, null, null);
            }
        }

        public void Execute(int index)
        {
            int c = layer.NumFeatures;
            int first = (int)((long)index * c / _chunks), last = (int)((long)(index + 1) * c / _chunks);
            for (int ch = first; ch < last; ch++)
            {
                if (_s == 1)
                {
                    Strided(ch);                           // (N, D): one value per plane, no vector calls
                    continue;
                }
                switch (_phase)
                {
                    case Phase.Statistics: Statistics(ch); break;
                    case Phase.Sums: layer._sum[ch] = Sum(ch); break;
                    case Phase.Deviations: layer._sumSq[ch] = Deviations(ch, layer._mean[ch]); break;
                    case Phase.Normalize: Normalize(ch); break;
                    case Phase.GradientSums: GradientSums(ch); break;
                    default: InputGradient(ch); break;
                }
            }
        }

        private Span<float> Plane(Tensor t, int i, int ch) => t.Span.Slice((i * layer.NumFeatures + ch) * _s, _s);

        // μ = Σx / m, then Σ(x − μ)² from the deviations (two passes: no catastrophic cancellation).
        private void Statistics(int ch)
        {
            long m = (long)_n * _s;
            float mean = (float)(Sum(ch) / m);
            layer._mean[ch] = mean;
            layer._sumSq[ch] = Deviations(ch, mean);
        }

        // Σx of channel ch.
        private double Sum(int ch)
        {
            double sum = 0;
            for (int i = 0; i < _n; i++)
                sum += BlockedSum(Plane(_x!, i, ch));
            return sum;
        }

        // Σ(x − μ)² of channel ch.
        private double Deviations(int ch, float mean)
        {
            Span<float> deviation = stackalloc float[Math.Min(_s, Block)];
            double squares = 0;
            for (int i = 0; i < _n; i++)
            {
                var plane = Plane(_x!, i, ch);
                for (int at = 0; at < plane.Length; at += Block)
                {
                    var part = plane.Slice(at, Math.Min(Block, plane.Length - at));
                    var d = deviation[..part.Length];
                    TensorPrimitives.Subtract(part, mean, d);
                    squares += TensorPrimitives.SumOfSquares(d);
                }
            }
            return squares;
        }

        // y = a·x + b with a = γ/σ, b = β − a·μ (then max(y, 0) with relu).
        private void Normalize(int ch)
        {
            float a = layer._scale[ch], b = layer._shift[ch];
            for (int i = 0; i < _n; i++)
            {
                if (layer._lastRelu)
                    AffineKernels.ScaleShiftRelu(Plane(_x!, i, ch), a, b, Plane(_y!, i, ch));
                else
                    AffineKernels.ScaleShift(Plane(_x!, i, ch), a, b, Plane(_y!, i, ch));
            }
        }

        // Σ dy, and Σ dy·x̂ = (Σ dy·x − μ Σ dy) / σ (dy gated by the ReLU with relu).
        private void GradientSums(int ch)
        {
            double sumDy = 0, sumDyX = 0;
            float a = layer._scale[ch], b = layer._shift[ch];
            for (int i = 0; i < _n; i++)
            {
                var dy = Plane(_dy!, i, ch);
                var x = Plane(_x!, i, ch);
                for (int at = 0; at < dy.Length; at += Block)
                {
                    int length = Math.Min(Block, dy.Length - at);
                    if (layer._lastRelu)
                    {
                        var (gated, gatedX) = AffineKernels.GatedSums(dy.Slice(at, length), x.Slice(at, length), a, b);
                        sumDy += gated;
                        sumDyX += gatedX;
                    }
                    else
                    {
                        sumDy += TensorPrimitives.Sum(dy.Slice(at, length));
                        sumDyX += TensorPrimitives.Dot(dy.Slice(at, length), x.Slice(at, length));
                    }
                }
            }
            layer._sum[ch] = sumDy;
            layer._sumSq[ch] = (sumDyX - layer._mean[ch] * sumDy) * layer._invStd[ch];
        }

        // training:  dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)) = A·dy + B·x + C
        // inference: dx = γ/σ · dy (the running statistics are constants)
        private void InputGradient(int ch)
        {
            var (scale, b, constant) = GradientCoefficients(ch);
            for (int i = 0; i < _n; i++)
            {
                if (layer._lastRelu)
                    AffineKernels.GatedScaleShift2(Plane(_dy!, i, ch), scale, Plane(_x!, i, ch), b, constant, layer._scale[ch], layer._shift[ch], Plane(_dx!, i, ch));
                else
                    AffineKernels.ScaleShift2(Plane(_dy!, i, ch), scale, Plane(_x!, i, ch), b, constant, Plane(_dx!, i, ch));   // b = 0 in inference
            }
        }

        // The four phases for (N, D) inputs, where channel ch is the column x[i·D + ch]: a call per
        // one-value plane would cost more than the arithmetic, so these walk the column directly.
        private void Strided(int ch)
        {
            int c = layer.NumFeatures;
            var x = _x!.Span;
            switch (_phase)
            {
                case Phase.Statistics or Phase.Sums or Phase.Deviations:
                    {
                        if (_phase != Phase.Deviations)
                        {
                            double sum = 0;
                            for (int i = 0; i < _n; i++)
                                sum += x[i * c + ch];
                            layer._sum[ch] = sum;
                            if (_phase == Phase.Sums)
                                break;
                            layer._mean[ch] = (float)(sum / _n);
                        }
                        float mean = layer._mean[ch];
                        double squares = 0;
                        for (int i = 0; i < _n; i++)
                        {
                            double d = x[i * c + ch] - mean;
                            squares += d * d;
                        }
                        layer._sumSq[ch] = squares;
                        break;
                    }
                case Phase.Normalize:
                    {
                        float a = layer._scale[ch], b = layer._shift[ch];
                        var y = _y!.Span;
                        for (int i = 0; i < _n; i++)
                        {
                            float value = MathF.FusedMultiplyAdd(x[i * c + ch], a, b);
                            y[i * c + ch] = layer._lastRelu ? MathF.Max(value, 0f) : value;
                        }
                        break;
                    }
                case Phase.GradientSums:
                    {
                        var dy = _dy!.Span;
                        double sumDy = 0, sumDyX = 0;
                        for (int i = 0; i < _n; i++)
                        {
                            float g = Gate(ch, x[i * c + ch], dy[i * c + ch]);
                            sumDy += g;
                            sumDyX += (double)g * x[i * c + ch];
                        }
                        layer._sum[ch] = sumDy;
                        layer._sumSq[ch] = (sumDyX - layer._mean[ch] * sumDy) * layer._invStd[ch];
                        break;
                    }
                default:
                    {
                        var (scale, b, constant) = GradientCoefficients(ch);
                        var dy = _dy!.Span;
                        var dx = _dx!.Span;
                        for (int i = 0; i < _n; i++)
                            dx[i * c + ch] = scale * Gate(ch, x[i * c + ch], dy[i * c + ch]) + b * x[i * c + ch] + constant;
                        break;
                    }
            }
        }

        // dy as it leaves the ReLU (with relu): kept where the forward's a·x + b was positive.
        private float Gate(int ch, float x, float dy) =>
            !layer._lastRelu || MathF.FusedMultiplyAdd(x, layer._scale[ch], layer._shift[ch]) > 0f ? dy : 0f;

        // dx = scale·dy + b·x + constant for channel ch (b = 0 and constant = 0 in inference).
        private (float Scale, float B, float Constant) GradientCoefficients(int ch)
        {
            float inv = layer._invStd[ch], mu = layer._mean[ch];
            float scale = layer.Weight.Value.Span[ch] * inv;
            long m = layer._count;
            float meanDy = layer._lastTraining ? (float)(layer._sum[ch] / m) : 0f;
            float meanDyXhat = layer._lastTraining ? (float)(layer._sumSq[ch] / m) : 0f;
            return (scale, -scale * inv * meanDyXhat, scale * (mu * inv * meanDyXhat - meanDy));
        }

        private static double BlockedSum(ReadOnlySpan<float> values)
        {
            double sum = 0;
            for (int at = 0; at < values.Length; at += Block)
                sum += TensorPrimitives.Sum(values.Slice(at, Math.Min(Block, values.Length - at)));
            return sum;
        }
    }
}
