// Pad2d.cs — what the 2-D padding layers share: the four amounts, shape logic and checks.
//
//   x: (N, C, H, W)   y: (N, C, top + H + bottom, left + W + right)
//
// The order of the four-amount constructor is PyTorch's: (left, right, top, bottom).
using Cortex.Tensors;

namespace Cortex.Layers;

/// <summary>Base of <see cref="ZeroPad2d"/> and <see cref="ReplicationPad2d"/>: pads the last two axes of (N, C, H, W).</summary>
public abstract class Pad2d : Layer
{
    private Tensor? _output, _inputGradient;
    private Shape _inputShape;
    private bool _ran;

    /// <summary>Pads by the given amounts (each ≥ 0), in PyTorch's order.</summary>
    protected Pad2d(int left, int right, int top, int bottom, string name) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(right);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfNegative(bottom);
        Left = left;
        Right = right;
        Top = top;
        Bottom = bottom;
    }

    /// <summary>Columns added before the first.</summary>
    public int Left { get; }

    /// <summary>Columns added after the last.</summary>
    public int Right { get; }

    /// <summary>Rows added above the first.</summary>
    public int Top { get; }

    /// <summary>Rows added below the last.</summary>
    public int Bottom { get; }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 4)
            throw InputShapeError("[N, C, H, W]", input, "Padding works on batches of feature maps.");
        CheckSpatial(input);
        return new Shape(input[0], input[1], input[2] + Top + Bottom, input[3] + Left + Right);
    }

    /// <summary>A hook for padding modes that need a non-empty image (replication).</summary>
    protected virtual void CheckSpatial(Shape input) { }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShapeCached(input.Shape);
        var y = Reuse(ref _output, shape);
        int planes = shape[0] * shape[1];
        int h = input.Shape[2], w = input.Shape[3], oh = shape[2], ow = shape[3];
        for (int p = 0; p < planes; p++)
            PadPlane(input.Span.Slice(p * h * w, h * w), h, w, y.Span.Slice(p * oh * ow, oh * ow));
        _inputShape = input.Shape;
        _ran = true;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        var y = _output!;
        if (outputGradient.Shape != y.Shape)
            throw OutputGradientShapeError(y.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, _inputShape);
        int planes = y.Shape[0] * y.Shape[1];
        int h = _inputShape[2], w = _inputShape[3], oh = y.Shape[2], ow = y.Shape[3];
        for (int p = 0; p < planes; p++)
            UnpadPlane(outputGradient.Span.Slice(p * oh * ow, oh * ow), h, w, dx.Span.Slice(p * h * w, h * w));
        return dx;
    }

    /// <summary>Writes every element of the padded plane <paramref name="y"/> from the h×w plane <paramref name="x"/>.</summary>
    protected abstract void PadPlane(ReadOnlySpan<float> x, int h, int w, Span<float> y);

    /// <summary>Writes every element of the h×w gradient <paramref name="dx"/> from the padded gradient <paramref name="dy"/>.</summary>
    protected abstract void UnpadPlane(ReadOnlySpan<float> dy, int h, int w, Span<float> dx);
}
