// PadShortcut.cs — ResNet's option A shortcut (He et al. 2016, §3.3 and §4.2, the CIFAR-10 nets):
// an identity that, where a stage halves the map and doubles the channels, takes every stride-th
// pixel and pads the new channels with zeros. It has no parameters.
//
//   x: (N, C, H, W)   y: (N, C', ⌈H/s⌉, ⌈W/s⌉),   C' ≥ C
//   y[n, before + c, i, j] = x[n, c, s·i, s·j],  the other channels 0   (before = (C' − C) / 2)
//   backward  dx[n, c, s·i, s·j] = dy[n, before + c, i, j],  0 at the skipped pixels
//
// The zero channels are split before and after the copied ones, as in the common PyTorch port
// (F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))).
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>The parameter-free shortcut of ResNet's option A: subsample by the stride, zero-pad the channels.</summary>
/// <example><code>
/// var shortcut = new PadShortcut(16, 32, stride: 2);
/// shortcut.OutputShape(new Shape(8, 16, 32, 32));   // [8, 32, 16, 16]
/// </code></example>
public sealed class PadShortcut : Layer, ISpatialWindow
{
    private Tensor? _output, _inputGradient;
    private Shape _inputShape;
    private bool _ran;

    /// <summary>Maps <paramref name="inChannels"/> to <paramref name="outChannels"/> (≥ inChannels), keeping every <paramref name="stride"/>-th pixel.</summary>
    public PadShortcut(int inChannels, int outChannels, int stride, string name = "downsample") : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
    }

    /// <summary>Channels in.</summary>
    public int InChannels { get; }

    /// <summary>Channels out (the extra ones are zero).</summary>
    public int OutChannels { get; }

    /// <summary>The subsampling step.</summary>
    public int Stride { get; }

    /// <inheritdoc/>
    public (int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth) Window => (1, 1, Stride, Stride, 1, 1);

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 4 || input[1] != InChannels)
            throw InputShapeError($"[N, {InChannels}, H, W]", input, "Check the previous block's output channels.");
        return new Shape(input[0], OutChannels, (input[2] + Stride - 1) / Stride, (input[3] + Stride - 1) / Stride);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = OutputShapeCached(input.Shape);
        var y = Reuse(ref _output, shape);
        y.Span.Clear();
        Copy(input.Span, input.Shape, y.Span, shape, forward: true);
        _inputShape = input.Shape;
        _ran = true;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (outputGradient.Shape != _output!.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, _inputShape);
        dx.Span.Clear();                                    // the skipped pixels get no gradient
        Copy(dx.Span, _inputShape, outputGradient.Span, outputGradient.Shape, forward: false);
        return dx;
    }

    // forward: y[n, before + c, i, j] = x[n, c, s·i, s·j];  backward: the same cells, the other way
    private void Copy(Span<float> x, Shape xs, Span<float> y, Shape ys, bool forward)
    {
        int n = xs[0], h = xs[2], w = xs[3], oh = ys[2], ow = ys[3], before = (OutChannels - InChannels) / 2;
        for (int b = 0; b < n; b++)
        {
            for (int c = 0; c < InChannels; c++)
            {
                int xPlane = ((b * InChannels) + c) * h * w, yPlane = ((b * OutChannels) + before + c) * oh * ow;
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        int xi = xPlane + (i * Stride * w) + (j * Stride), yi = yPlane + (i * ow) + j;
                        if (forward)
                            y[yi] = x[xi];
                        else
                            x[xi] = y[yi];
                    }
                }
            }
        }
    }
}
