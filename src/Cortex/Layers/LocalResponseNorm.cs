// LocalResponseNorm.cs — local response normalization across channels (AlexNet's LRN).
//
//   x: (N, C, …)   y: same shape.  For channel c, the window W(c) = [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋] ∩ [0, C):
//
//   s_c = k + α' Σ_{j∈W(c)} x_j²        y_c = x_c · s_c^(−β)
//
//   α' = α / n   PyTorch (nn.LocalResponseNorm) and ONNX (LRN): the mean of the squares     ← default
//   α' = α       Krizhevsky, Sutskever & Hinton 2012, §3.3: the sum of the squares
//
// With AlexNet's numbers (n = 5, α = 1e-4, β = 0.75, k = 2) the two differ by a factor 5 in α.
// For odd n the window is the paper's symmetric [c − n/2, c + n/2]; for even n it leans one channel
// left, as PyTorch's does.
//
//   backward   dx_j = dy_j s_j^(−β) − 2α'β x_j Σ_{c : j∈W(c)} dy_c x_c s_c^(−β−1)
//              where j ∈ W(c) ⇔ c ∈ [j − ⌊(n−1)/2⌋, j + ⌊n/2⌋]
using System.Numerics.Tensors;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Which normalization of α <see cref="LocalResponseNorm"/> uses.</summary>
public enum LrnScaling
{
    /// <summary>α / size multiplies the sum of squares (PyTorch's nn.LocalResponseNorm, ONNX LRN).</summary>
    AverageOfSquares,

    /// <summary>α multiplies the sum of squares (Krizhevsky et al. 2012, §3.3, as printed).</summary>
    SumOfSquares,
}

/// <summary>Local response normalization across channels: <c>y_c = x_c / (k + α' Σ_window x_j²)^β</c>.</summary>
/// <example><code>
/// var lrn = new LocalResponseNorm();                                    // AlexNet's n=5, α=1e-4, β=0.75, k=2, PyTorch's α/n
/// var paper = new LocalResponseNorm(scaling: LrnScaling.SumOfSquares);  // the formula as printed in the paper
/// </code></example>
public sealed class LocalResponseNorm : Layer
{
    private readonly float _alphaEffective;
    private Tensor? _input, _output, _scale, _scalePow, _inputGradient, _work;

    /// <summary>Creates the layer; the defaults are AlexNet's (Krizhevsky et al. 2012, §3.3), with α divided by size as PyTorch does.</summary>
    public LocalResponseNorm(int size = 5, float alpha = 1e-4f, float beta = 0.75f, float k = 2f,
        LrnScaling scaling = LrnScaling.AverageOfSquares, string name = "lrn") : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (!float.IsFinite(alpha) || alpha < 0f)
            throw new ArgumentOutOfRangeException(nameof(alpha), $"LocalResponseNorm: alpha must be finite and ≥ 0, got {alpha}.");
        if (!float.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), $"LocalResponseNorm: beta must be finite, got {beta}.");
        if (!(k > 0f) || !float.IsFinite(k))
            throw new ArgumentOutOfRangeException(nameof(k), $"LocalResponseNorm: k must be positive, got {k}.");
        if (!Enum.IsDefined(scaling))
            throw new ArgumentOutOfRangeException(nameof(scaling), $"LocalResponseNorm: unknown scaling {scaling}.");
        Size = size;
        Alpha = alpha;
        Beta = beta;
        K = k;
        Scaling = scaling;
        _alphaEffective = scaling == LrnScaling.AverageOfSquares ? alpha / size : alpha;
    }

    /// <summary>n, the number of neighbouring channels in the window.</summary>
    public int Size { get; }

    /// <summary>α as given (see <see cref="Scaling"/> for whether it is divided by <see cref="Size"/>).</summary>
    public float Alpha { get; }

    /// <summary>β, the exponent.</summary>
    public float Beta { get; }

    /// <summary>k, the additive constant.</summary>
    public float K { get; }

    /// <summary>Whether α multiplies the mean or the sum of the squares in the window.</summary>
    public LrnScaling Scaling { get; }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank < 3)
            throw InputShapeError("[N, C, H, W] (or [N, C, L])", input, "LocalResponseNorm normalizes across the channels of feature maps.");
        return input;
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShape(input.Shape);
        int n = shape[0], c = shape[1], plane = shape.SizeFrom(2);
        var scale = Reuse(ref _scale, shape);
        var scalePow = Reuse(ref _scalePow, shape);
        var square = Reuse(ref _work, shape);
        var y = Reuse(ref _output, shape);
        var xs = input.Span;
        TensorPrimitives.Multiply(xs, xs, square.Span);                         // x²
        int before = Size / 2, after = (Size - 1) / 2;
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                var s = scale.Span.Slice((i * c + ch) * plane, plane);
                s.Clear();
                for (int j = Math.Max(0, ch - before); j <= Math.Min(c - 1, ch + after); j++)
                    TensorPrimitives.Add(s, square.Span.Slice((i * c + j) * plane, plane), s);   // Σ_W x_j²
                TensorPrimitives.Multiply(s, _alphaEffective, s);
                TensorPrimitives.Add(s, K, s);                                                   // s = k + α' Σ
            }
        }
        TensorPrimitives.Pow(scale.Span, -Beta, scalePow.Span);                 // s^(−β)
        TensorPrimitives.Multiply(xs, scalePow.Span, y.Span);                   // y = x · s^(−β)
        _input = input;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        var shape = x.Shape;
        if (outputGradient.Shape != shape)
            throw OutputGradientShapeError(shape, outputGradient.Shape);
        int n = shape[0], c = shape[1], plane = shape.SizeFrom(2);
        var dys = outputGradient.Span;
        // t_c = dy_c x_c s_c^(−β−1) = dy_c · y_c / s_c
        var t = _work!.Span;
        TensorPrimitives.Multiply(dys, _output!.Span, t);
        TensorPrimitives.Divide(t, _scale!.Span, t);
        var dx = Reuse(ref _inputGradient, shape);
        var dxs = dx.Span;
        var xs = x.Span;
        float factor = -2f * _alphaEffective * Beta;
        int before = Size / 2, after = (Size - 1) / 2;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < c; j++)
            {
                int at = (i * c + j) * plane;
                var d = dxs.Slice(at, plane);
                d.Clear();
                for (int ch = Math.Max(0, j - after); ch <= Math.Min(c - 1, j + before); ch++)
                    TensorPrimitives.Add(d, t.Slice((i * c + ch) * plane, plane), d);            // Σ_{c: j∈W(c)} t_c
                TensorPrimitives.Multiply(d, xs.Slice(at, plane), d);                            // · x_j
                TensorPrimitives.Multiply(d, factor, d);                                         // · (−2α'β)
                TensorPrimitives.FusedMultiplyAdd(dys.Slice(at, plane), _scalePow!.Span.Slice(at, plane), d, d); // + dy_j s_j^(−β)
            }
        }
        return dx;
    }
}
