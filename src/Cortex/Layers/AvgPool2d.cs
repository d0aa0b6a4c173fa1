// AvgPool2d.cs — average pooling (LeNet-5's subsampling, PyTorch's nn.AvgPool2d).
//
//   x: (N, C, H, W)   y: (N, C, OH, OW),   OH = (H + 2·PH − KH) / SH + 1
//   forward   y = Σ window / divisor
//   backward  every input of a window gets dy / divisor
//   divisor   KH·KW when countIncludePad (PyTorch's default: padding counts as zeros),
//             else the number of real (unpadded) inputs in the window (Keras/TensorFlow "same")
//
// No parameters; the channel count is unchanged. Padding may be at most half the kernel, as in
// PyTorch; the stride defaults to the kernel size. Output and input gradient are reused between
// batches of the same shape.
//
// Padding may also differ per side (ConvPadding.Explicit: ONNX pads [top, left, bottom, right]), and
// ceil mode rounds the output size up (ONNX/PyTorch ceil_mode; a window may not start in the
// bottom/right padding): the overhang is handled as extra bottom/right padding.
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Average pooling over (N, C, H, W) inputs.</summary>
/// <example><code>
/// var s2 = new AvgPool2d(2);   // LeNet-5 S2: 28×28 → 14×14
/// var smooth = new AvgPool2d(3, stride: 1, padding: 1, countIncludePad: false);   // size kept, edges not darkened
/// </code></example>
public sealed class AvgPool2d : Layer
{
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Shape _inputShape;
    private Conv2dGeometry _geometry;

    /// <summary>
    /// Square windows of <paramref name="kernelSize"/>, stride (default: the kernel size) and padding;
    /// <paramref name="countIncludePad"/>: whether padding cells count in the divisor (true: always KH·KW, PyTorch's default).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1, or padding negative or above half the kernel.</exception>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true, string name = "pool")
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding), countIncludePad, name)
    {
    }

    /// <summary>Rectangular windows, with per-axis stride (default: the kernel size) and padding.</summary>
    public AvgPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        (int Height, int Width)? padding = null, bool countIncludePad = true, string name = "pool")
        : this(kernelSize, stride, ConvPadding.Symmetric((padding ?? (0, 0)).Height, (padding ?? (0, 0)).Width), ceilMode: false, countIncludePad, name)
    {
    }

    /// <summary>
    /// Rectangular windows with padding per side (<see cref="ConvPadding.Explicit"/>: ONNX's asymmetric pads) and,
    /// with <paramref name="ceilMode"/>, output sizes rounded up. With ceil mode and <paramref name="countIncludePad"/>,
    /// a window that runs past the bottom/right padding still divides by KH·KW (ONNX divides by the part inside the padded input).
    /// </summary>
    public AvgPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride, ConvPadding padding, bool ceilMode,
        bool countIncludePad = true, string name = "pool")
        : base(name)
    {
        var s = stride ?? kernelSize;
        if (padding.IsSame)
            throw new ArgumentException("AvgPool2d: expected explicit padding, got \"same\".", nameof(padding));
        ConvolutionSupport.CheckPoolWindow(nameof(AvgPool2d), kernelSize.Height, kernelSize.Width, s.Height, s.Width, Math.Max(padding.Top, padding.Bottom), Math.Max(padding.Left, padding.Right), 1, 1);
        var p = (Height: padding.Top, Width: padding.Left);
        Padding = padding;
        CeilMode = ceilMode;
        KernelHeight = kernelSize.Height;
        KernelWidth = kernelSize.Width;
        StrideHeight = s.Height;
        StrideWidth = s.Width;
        PaddingHeight = p.Height;
        PaddingWidth = p.Width;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window height.</summary>
    public int KernelHeight { get; }

    /// <summary>Window width.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical step between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal step between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>Rows of zero padding above (and below, unless <see cref="Padding"/> is asymmetric).</summary>
    public int PaddingHeight { get; }

    /// <summary>Columns of zero padding on the left (and right, unless <see cref="Padding"/> is asymmetric).</summary>
    public int PaddingWidth { get; }

    /// <summary>Whether padding cells count in the divisor (true: KH·KW always).</summary>
    public bool CountIncludePad { get; }

    /// <summary>The padding on each side (top, bottom, left, right); <see cref="PaddingHeight"/> and <see cref="PaddingWidth"/> are its top and left.</summary>
    public ConvPadding Padding { get; }

    /// <summary>Whether output sizes round up (ONNX and PyTorch ceil_mode) instead of down.</summary>
    public bool CeilMode { get; }

    public override Shape OutputShape(Shape input)
    {
        var g = Geometry(input);
        return new Shape(input[0], input[1], g.OutputHeight, g.OutputWidth);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = _geometry = Geometry(input.Shape);
        int n = input.Shape[0];
        var y = ConvolutionSupport.Reuse(ref _output, [n, g.Channels, g.OutputHeight, g.OutputWidth]);
        AveragePooling2d.Forward(g, n, CountIncludePad, input.Span, y.Span);
        _inputShape = input.Shape;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_output is null)
            throw BackwardBeforeForward();
        if (outputGradient.Shape != _output.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var dx = Reuse(ref _inputGradient, _inputShape);
        dx.Span.Clear();
        AveragePooling2d.Backward(_geometry, _inputShape[0], CountIncludePad, outputGradient.Span, dx.Span);
        return dx;
    }

    private Conv2dGeometry Geometry(Shape input) => ConvolutionSupport.PoolGeometry(this, input,
        KernelHeight, KernelWidth, StrideHeight, StrideWidth, Padding, CeilMode, 1, 1);
}
