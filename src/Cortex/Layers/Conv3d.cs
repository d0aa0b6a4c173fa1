// Conv3d.cs — 3-D convolution over volumes: video clips (frames × H × W), MRI/CT scans (PyTorch's nn.Conv3d).
//
//   x: (N, C, D, H, W)   weight: (FN, C, KD, KH, KW)   bias: (FN)   y: (N, FN, OD, OH, OW)
//   OD = (D + 2·PD − ((KD − 1)·DD + 1)) / SD + 1    (OH, OW likewise)
//   forward  y = conv3d(x, w) + b         vol2col + GEMM per volume (Convolution3d)
//   backward db += Σ dy;  dw += dy · colᵀ;  dx = col2vol(wᵀ · dy)
//
// Padding is symmetric per axis (a number, or (pd, ph, pw)), zeros or the replicated edge.
// Not here: groups and "same" padding (use Conv2d's grouped path as the model if they are needed).
using Cortex.Initializers;
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>A 3-D convolution over (N, C, D, H, W) inputs.</summary>
/// <example><code>
/// var conv = new Conv3d(3, 64, kernelSize: 3, padding: 1);   // C3D's first layer
/// Tensor y = conv.Forward(clip, training: true);             // clip: (8, 3, 16, 112, 112) → (8, 64, 16, 112, 112)
/// </code></example>
public sealed class Conv3d : Layer
{
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Tensor? _frozenWeightGradient;
    private Conv3dGeometry _geometry;

    /// <summary>
    /// Creates FN = <paramref name="outChannels"/> cubic filters of side <paramref name="kernelSize"/>;
    /// He-normal weights N(0, 2 / (C·K³)) from <paramref name="random"/> (or <paramref name="weightInit"/>), zero bias.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or negative padding.</exception>
    public Conv3d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        PaddingMode paddingMode = PaddingMode.Zero, int dilation = 1, bool bias = true, CortexRandom? random = null, string name = "conv",
        Initializer? weightInit = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize, kernelSize), (stride, stride, stride), (padding, padding, padding),
               paddingMode, (dilation, dilation, dilation), bias, random, name, weightInit)
    {
    }

    /// <summary>Creates a 3-D convolution with a (KD, KH, KW) kernel and per-axis stride, padding and dilation.</summary>
    /// <example><code>var temporal = new Conv3d(64, 64, (3, 1, 1), padding: (1, 0, 0));   // (2+1)-D factorization</code></example>
    public Conv3d(int inChannels, int outChannels, (int Depth, int Height, int Width) kernelSize,
        (int Depth, int Height, int Width)? stride = null, (int Depth, int Height, int Width)? padding = null,
        PaddingMode paddingMode = PaddingMode.Zero, (int Depth, int Height, int Width)? dilation = null,
        bool bias = true, CortexRandom? random = null, string name = "conv", Initializer? weightInit = null)
        : base(name)
    {
        const string Kind = nameof(Conv3d);
        ConvolutionSupport.CheckChannels(Kind, inChannels, outChannels, 1);
        var s = stride ?? (1, 1, 1);
        var p = padding ?? (0, 0, 0);
        var d = dilation ?? (1, 1, 1);
        ConvolutionSupport.AtLeast(Kind, "kernelSize", Math.Min(kernelSize.Depth, Math.Min(kernelSize.Height, kernelSize.Width)), 1);
        ConvolutionSupport.AtLeast(Kind, nameof(stride), Math.Min(s.Depth, Math.Min(s.Height, s.Width)), 1);
        ConvolutionSupport.AtLeast(Kind, nameof(padding), Math.Min(p.Depth, Math.Min(p.Height, p.Width)), 0);
        ConvolutionSupport.AtLeast(Kind, nameof(dilation), Math.Min(d.Depth, Math.Min(d.Height, d.Width)), 1);
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Replicate))
            throw new ArgumentOutOfRangeException(nameof(paddingMode), paddingMode, $"{Kind}: expected padding mode Zero or Replicate, got {paddingMode}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = s;
        Padding = p;
        PaddingMode = paddingMode;
        Dilation = d;
        ParameterBudget.Reserve((long)outChannels * inChannels * kernelSize.Depth * kernelSize.Height * kernelSize.Width + (bias ? outChannels : 0), name);
        Weight = new Parameter("weight", ConvolutionSupport.InitialWeight(
            new Shape(outChannels, inChannels, kernelSize.Depth, kernelSize.Height, kernelSize.Width), weightInit, random));
        Bias = bias ? new Parameter("bias", new Tensor(outChannels)) : null;
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Filters FN = output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Filter size (KD, KH, KW).</summary>
    public (int Depth, int Height, int Width) KernelSize { get; }

    /// <summary>Steps (SD, SH, SW) between windows.</summary>
    public (int Depth, int Height, int Width) Stride { get; }

    /// <summary>Padding (PD, PH, PW), added on both sides of each axis.</summary>
    public (int Depth, int Height, int Width) Padding { get; }

    /// <summary>What padded cells read.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Spacing (DD, DH, DW) between filter taps.</summary>
    public (int Depth, int Height, int Width) Dilation { get; }

    /// <summary>The filters, shape (FN, C, KD, KH, KW).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, shape (FN), or null.</summary>
    public Parameter? Bias { get; }

    public override IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public override Shape OutputShape(Shape input)
    {
        var g = Geometry(input);
        return new Shape(input[0], OutChannels, g.OutputDepth, g.OutputHeight, g.OutputWidth);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = _geometry = Geometry(input.Shape);
        int n = input.Shape[0];
        var y = ConvolutionSupport.Reuse(ref _output, [n, OutChannels, g.OutputDepth, g.OutputHeight, g.OutputWidth]);
        ReadOnlySpan<float> b = Bias is null ? default : Bias.Value.Span;
        Convolution3d.Forward(g, n, OutChannels, input.Span, Weight.Value.Span, b, y.Span, Workspace(g));
        _input = input;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = _input ?? throw BackwardBeforeForward();
        if (outputGradient.Shape != _output!.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var dx = NoInputGradient;                          // skipped when nothing reads it (a first layer)
        if (InputGradientRequired)
        {
            dx = Reuse(ref _inputGradient, x.Shape);
            dx.Span.Clear();                               // the kernel adds into dx
        }
        var dw = Weight.Trainable ? Weight.Gradient : Reuse(ref _frozenWeightGradient, Weight.Shape);
        Span<float> db = Bias is { Trainable: true } ? Bias.Gradient.Span : default;
        Convolution3d.Backward(_geometry, x.Shape[0], OutChannels, x.Span, Weight.Value.Span, outputGradient.Span,
            dx.Span, dw.Span, db, Workspace(_geometry));
        return dx;
    }

    /// <summary>"backbone.0 (Conv3d 64@3×3×3)".</summary>
    private string Who => ConvolutionSupport.Who(this, $"{OutChannels}@{KernelSize.Depth}×{KernelSize.Height}×{KernelSize.Width}");

    private static Span<float> Workspace(in Conv3dGeometry g) => ConvolutionSupport.Scratch(Convolution3d.WorkspaceSize(g));

    private Conv3dGeometry Geometry(Shape input)
    {
        if (input.Rank != 5)
            throw new ArgumentException($"{Who}: expects input [N, {InChannels}, D, H, W] (rank 5), got {input} (rank {input.Rank}).", nameof(input));
        if (input[1] != InChannels)
            throw new ArgumentException($"{Who}: expects {InChannels} input channels, got {input[1]} (input {input}). Check the previous layer's outChannels.", nameof(input));
        int depth = input[2], height = input[3], width = input[4];
        if (depth < 1 || height < 1 || width < 1)
            throw new ArgumentException($"{Who}: expects a volume of at least 1×1×1, got {depth}×{height}×{width} (input {input}).", nameof(input));
        long ekd = (long)(KernelSize.Depth - 1) * Dilation.Depth + 1, ekh = (long)(KernelSize.Height - 1) * Dilation.Height + 1,
            ekw = (long)(KernelSize.Width - 1) * Dilation.Width + 1;
        long pd = depth + 2L * Padding.Depth, ph = height + 2L * Padding.Height, pw = width + 2L * Padding.Width;
        if (ekd > pd || ekh > ph || ekw > pw)
            throw new ArgumentException(
                $"{Who}: expects an input of at least {ekd}×{ekh}×{ekw} after padding, got {depth}×{height}×{width} padded to {pd}×{ph}×{pw} (input {input}). " +
                "Add padding or use a smaller kernel.", nameof(input));
        return new Conv3dGeometry(InChannels, depth, height, width, KernelSize.Depth, KernelSize.Height, KernelSize.Width,
            Stride.Depth, Stride.Height, Stride.Width, Padding.Depth, Padding.Height, Padding.Width,
            Dilation.Depth, Dilation.Height, Dilation.Width, PaddingMode);
    }
}
