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
//
// Sums run in double: a channel of a big batch holds 10⁵–10⁶ values, and float sums of that many
// lose the digits the variance lives in. x̂ is not stored; Backward recomputes it from x, μ, 1/σ.
using Cortex.Tensors;

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
    private Tensor? _input, _output, _inputGradient;
    private bool _lastTraining;

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
        Weight = new Parameter("weight", Tensor.Ones(new Shape(numFeatures)));
        Bias = new Parameter("bias", new Tensor(numFeatures));
        RunningMean = new Tensor(numFeatures);
        RunningVar = Tensor.Ones(new Shape(numFeatures));
        NumBatchesTracked = new Tensor(Shape.Scalar);
        _sum = new double[numFeatures];
        _sumSq = new double[numFeatures];
        _mean = new float[numFeatures];
        _invStd = new float[numFeatures];
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

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShape(input.Shape);
        int n = shape[0], c = NumFeatures, s = shape.SizeFrom(2);
        long m = (long)n * s;
        var xs = input.Span;

        if (training)
        {
            if (m < 2)
                throw new ArgumentException($"{Describe()}: training needs more than one value per channel to estimate a variance, got input {shape}. Use a batch of 2 or more, or Forward(training: false).");
            // μ, then σ² from the deviations (two passes: no catastrophic cancellation)
            Array.Clear(_sum);
            Array.Clear(_sumSq);
            for (int i = 0; i < n; i++)
            {
                for (int ch = 0; ch < c; ch++)
                    _sum[ch] += SumOf(xs.Slice((i * c + ch) * s, s));
            }
            for (int ch = 0; ch < c; ch++)
                _mean[ch] = (float)(_sum[ch] / m);
            for (int i = 0; i < n; i++)
            {
                for (int ch = 0; ch < c; ch++)
                    _sumSq[ch] += SumOfSquaredDeviations(xs.Slice((i * c + ch) * s, s), _mean[ch]);
            }
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

        // y = γ (x − μ)/σ + β = a·x + b with a = γ/σ, b = β − a·μ
        var y = Reuse(ref _output, shape);
        var ys = y.Span;
        var gamma = Weight.Value.Span;
        var beta = Bias.Value.Span;
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                float a = gamma[ch] * _invStd[ch];
                float b = beta[ch] - a * _mean[ch];
                int at = (i * c + ch) * s;
                var xRow = xs.Slice(at, s);
                var yRow = ys.Slice(at, s);
                for (int j = 0; j < s; j++)
                    yRow[j] = a * xRow[j] + b;
            }
        }
        _input = input;
        _lastTraining = training;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        var shape = x.Shape;
        if (outputGradient.Shape != shape)
            throw OutputGradientShapeError(shape, outputGradient.Shape);
        int n = shape[0], c = NumFeatures, s = shape.SizeFrom(2);
        long m = (long)n * s;
        var xs = x.Span;
        var dys = outputGradient.Span;

        // Σ dy and Σ dy·x̂ per channel: they are dβ and dγ, and the training backward needs them too
        Array.Clear(_sum);
        Array.Clear(_sumSq);
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                int at = (i * c + ch) * s;
                float mu = _mean[ch], inv = _invStd[ch];
                double sumDy = 0, sumDyXhat = 0;
                for (int j = 0; j < s; j++)
                {
                    float dy = dys[at + j];
                    sumDy += dy;
                    sumDyXhat += dy * ((xs[at + j] - mu) * inv);
                }
                _sum[ch] += sumDy;
                _sumSq[ch] += sumDyXhat;
            }
        }
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

        var dx = Reuse(ref _inputGradient, shape);
        var dxs = dx.Span;
        var gamma = Weight.Value.Span;
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                int at = (i * c + ch) * s;
                float mu = _mean[ch], inv = _invStd[ch];
                float scale = gamma[ch] * inv;
                if (!_lastTraining)
                {
                    // dx = γ/σ · dy (running statistics are constants)
                    for (int j = 0; j < s; j++)
                        dxs[at + j] = scale * dys[at + j];
                    continue;
                }
                // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
                float meanDy = (float)(_sum[ch] / m);
                float meanDyXhat = (float)(_sumSq[ch] / m);
                for (int j = 0; j < s; j++)
                {
                    float xhat = (xs[at + j] - mu) * inv;
                    dxs[at + j] = scale * (dys[at + j] - meanDy - xhat * meanDyXhat);
                }
            }
        }
        return dx;
    }

    private static double SumOf(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values)
            sum += v;
        return sum;
    }

    private static double SumOfSquaredDeviations(ReadOnlySpan<float> values, double mean)
    {
        double sum = 0;
        foreach (float v in values)
        {
            double d = v - mean;
            sum += d * d;
        }
        return sum;
    }
}
