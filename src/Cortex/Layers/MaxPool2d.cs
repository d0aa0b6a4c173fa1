// MaxPool2d.cs — max pooling (the lectures' Pooling class, PyTorch's nn.MaxPool2d).
//
//   x: (N, C, H, W)   y: (N, C, OH, OW),   OH = (H + 2·PH − ((KH − 1)·DH + 1)) / SH + 1
//   forward   y = max over each window; the arg-max of every window is kept
//   backward  dx[argmax] = dy, 0 elsewhere (ties went to the first element of the window)
//
// No parameters; the channel count is unchanged. Padding cells never win (they are not read), and
// may be at most half the kernel, as in PyTorch. The stride defaults to the kernel size
// (non-overlapping windows). The output, the arg-max and the input gradient are reused between
// batches of the same shape.
//
// Padding may also differ per side (ConvPadding.Explicit: ONNX pads [top, left, bottom, right]), and
// ceil mode rounds the output size up (ONNX/PyTorch ceil_mode; a window may not start in the
// bottom/right padding): the overhang is handled as extra bottom/right padding.
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>Max pooling over (N, C, H, W) inputs.</summary>
/// <example><code>
/// var pool = new MaxPool2d(2);                 // 2×2 windows, stride 2: 28×28 → 14×14
/// var overlapping = new MaxPool2d(3, stride: 2);   // AlexNet: 55×55 → 27×27
/// </code></example>
public sealed class MaxPool2d : Layer
{
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Shape _inputShape;
    private int[] _argMax = [];
    private Conv2dGeometry _geometry;

    /// <summary>Square windows of <paramref name="kernelSize"/>, stride (default: the kernel size), padding and dilation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1, or padding negative or above half the kernel.</exception>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, string name = "pool")
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize), (padding, padding), (dilation, dilation), name)
    {
    }

    /// <summary>Rectangular windows, with per-axis stride (default: the kernel size), padding and dilation.</summary>
    public MaxPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        (int Height, int Width)? padding = null, (int Height, int Width)? dilation = null, string name = "pool")
        : this(kernelSize, stride, ConvPadding.Symmetric((padding ?? (0, 0)).Height, (padding ?? (0, 0)).Width), ceilMode: false, dilation, name)
    {
    }

    /// <summary>
    /// Rectangular windows with padding per side (<see cref="ConvPadding.Explicit"/>: ONNX's asymmetric pads) and,
    /// with <paramref name="ceilMode"/>, output sizes rounded up (ONNX and PyTorch ceil_mode).
    /// </summary>
    /// <example><code>var pool = new MaxPool2d((3, 3), (2, 2), ConvPadding.Explicit(0, 1, 0, 1), ceilMode: false);</code></example>
    public MaxPool2d((int Height, int Width) kernelSize, (int Height, int Width)? stride, ConvPadding padding, bool ceilMode,
        (int Height, int Width)? dilation = null, string name = "pool")
        : base(name)
    {
        var s = stride ?? kernelSize;
        var d = dilation ?? (1, 1);
        if (padding.IsSame)
            throw new ArgumentException("MaxPool2d: expected explicit padding, got \"same\".", nameof(padding));
        ConvolutionSupport.CheckPoolWindow(nameof(MaxPool2d), kernelSize.Height, kernelSize.Width, s.Height, s.Width, Math.Max(padding.Top, padding.Bottom), Math.Max(padding.Left, padding.Right), d.Height, d.Width);
        var p = (Height: padding.Top, Width: padding.Left);
        Padding = padding;
        CeilMode = ceilMode;
        KernelHeight = kernelSize.Height;
        KernelWidth = kernelSize.Width;
        StrideHeight = s.Height;
        StrideWidth = s.Width;
        PaddingHeight = p.Height;
        PaddingWidth = p.Width;
        DilationHeight = d.Height;
        DilationWidth = d.Width;
    }

    /// <summary>Window height.</summary>
    public int KernelHeight { get; }

    /// <summary>Window width.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical step between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal step between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>Rows of padding above (and below, unless <see cref="Padding"/> is asymmetric); never read.</summary>
    public int PaddingHeight { get; }

    /// <summary>Columns of padding on the left (and right, unless <see cref="Padding"/> is asymmetric); never read.</summary>
    public int PaddingWidth { get; }

    /// <summary>Vertical spacing between window taps.</summary>
    public int DilationHeight { get; }

    /// <summary>Horizontal spacing between window taps.</summary>
    public int DilationWidth { get; }

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
        if (_argMax.Length != y.Size)
            _argMax = new int[y.Size];
        MaxPooling2d.Forward(g, n, input.Span, y.Span, _argMax);
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
        MaxPooling2d.Backward(_geometry, _inputShape[0], outputGradient.Span, _argMax, dx.Span);   // dx[argmax] += dy
        return dx;
    }

    private Conv2dGeometry Geometry(Shape input) => ConvolutionSupport.PoolGeometry(this, input,
        KernelHeight, KernelWidth, StrideHeight, StrideWidth, Padding, CeilMode, DilationHeight, DilationWidth);
}
