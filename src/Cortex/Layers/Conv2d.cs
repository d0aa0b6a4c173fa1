// Conv2d.cs — the 2-D convolution layer (the lectures' Convolution class, PyTorch's nn.Conv2d).
//
//   x: (N, C, H, W)   weight: (FN, C/groups, KH, KW)   bias: (FN)   y: (N, FN, OH, OW)
//   OH = (H + PT + PB − ((KH − 1)·DH + 1)) / SH + 1        (the lectures' (H + 2P − FH) / S + 1)
//
//   forward   y  = conv(x, w) + b            im2col + GEMM per image (Convolution2d)
//   backward  db += Σ dy;  dw += dy · colᵀ;  dx = col2im(wᵀ · dy)
//
// Padding: a number, (ph, pw), ConvPadding.Explicit(t, b, l, r), or "same"/"valid"; the padded
// cells read 0 (PaddingMode.Zero, the lectures' "0 덧대기") or the nearest edge value
// (PaddingMode.Replicate, "복사 덧대기"). Groups > 1 run the kernel once per (image, group) on
// contiguous slices (see ConvolutionSupport). State-dict keys: weight, bias.
//
// Memory: the output and the input gradient are kept and reused while the input shape stays the
// same, so a training step allocates nothing after the first batch; the im2col columns live in one
// scratch buffer per thread that every convolution layer shares (ConvolutionSupport.Scratch). The
// input is cached by reference for Backward: do not overwrite it in between.
// Threads: the kernel splits the batch across them (Convolution2d); grouped convolutions run image
// by image with the GEMM split instead.
using Cortex.Initializers;
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>A 2-D convolution over (N, C, H, W) inputs, with stride, padding, dilation and groups.</summary>
/// <example><code>
/// var conv = new Conv2d(1, 6, kernelSize: 5, padding: 2, random: new CortexRandom(42)); // LeNet C1
/// Tensor y = conv.Forward(x, training: true);   // x: (64, 1, 28, 28) → y: (64, 6, 28, 28)
/// Tensor dx = conv.Backward(dy);                // adds into conv.Weight.Gradient and conv.Bias.Gradient
/// </code></example>
public sealed class Conv2d : Layer
{
    private Tensor? _input;                 // cached for Backward: dw = dy · im2col(x)ᵀ
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Tensor? _frozenWeightGradient;  // where dw goes (and is dropped) while Weight is frozen
    private Conv2dGeometry _geometry;       // of one group, for the last Forward's input

    /// <summary>
    /// Creates FN = <paramref name="outChannels"/> filters of <paramref name="kernelSize"/>² over
    /// <paramref name="inChannels"/> channels. Weights are He-normal, N(0, 2 / (C/groups·K²)), drawn
    /// from <paramref name="random"/> (default <see cref="CortexRandom.Global"/>); the bias starts at 0.
    /// </summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Filters FN = output channels.</param>
    /// <param name="kernelSize">Filter height and width.</param>
    /// <param name="stride">Step between windows.</param>
    /// <param name="padding">A number, <c>(ph, pw)</c>, <c>"same"</c> or <c>"valid"</c> (default 0).</param>
    /// <param name="paddingMode">What padded cells read: 0, or the nearest edge value.</param>
    /// <param name="dilation">Spacing between filter taps (1 = ordinary).</param>
    /// <param name="groups">Channel groups; C and FN must be divisible by it.</param>
    /// <param name="bias">Whether to add a learned bias per filter.</param>
    /// <param name="random">The generator for the initial weights.</param>
    /// <param name="name">The layer's name (a key segment).</param>
    /// <param name="weightInit">The weight initializer (default <see cref="HeNormal"/>, fan-in, ReLU gain).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or negative padding.</exception>
    /// <exception cref="ArgumentException">Channels not divisible by groups.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding padding = default,
        PaddingMode paddingMode = PaddingMode.Zero, int dilation = 1, int groups = 1, bool bias = true,
        CortexRandom? random = null, string name = "conv", Initializer? weightInit = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), padding, paddingMode, (dilation, dilation), groups, bias, random, name, weightInit)
    {
    }

    /// <summary>Creates a convolution with a rectangular kernel and, optionally, different strides and dilations per axis.</summary>
    /// <example><code>var conv = new Conv2d(64, 64, (1, 7), padding: (0, 3));   // Inception's factorized 1×7</code></example>
    public Conv2d(int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        ConvPadding padding = default, PaddingMode paddingMode = PaddingMode.Zero, (int Height, int Width)? dilation = null,
        int groups = 1, bool bias = true, CortexRandom? random = null, string name = "conv", Initializer? weightInit = null)
        : base(name)
    {
        const string Kind = nameof(Conv2d);
        ConvolutionSupport.CheckChannels(Kind, inChannels, outChannels, groups);
        var (sh, sw) = stride ?? (1, 1);
        var (dh, dw) = dilation ?? (1, 1);
        ConvolutionSupport.AtLeast(Kind, "kernelHeight", kernelSize.Height, 1);
        ConvolutionSupport.AtLeast(Kind, "kernelWidth", kernelSize.Width, 1);
        ConvolutionSupport.AtLeast(Kind, "strideHeight", sh, 1);
        ConvolutionSupport.AtLeast(Kind, "strideWidth", sw, 1);
        ConvolutionSupport.AtLeast(Kind, "dilationHeight", dh, 1);
        ConvolutionSupport.AtLeast(Kind, "dilationWidth", dw, 1);
        ConvolutionSupport.AtLeast(Kind, nameof(padding), padding.Minimum, 0);
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Replicate))
            throw new ArgumentOutOfRangeException(nameof(paddingMode), paddingMode, $"{Kind}: expected padding mode Zero or Replicate, got {paddingMode}.");

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelHeight = kernelSize.Height;
        KernelWidth = kernelSize.Width;
        StrideHeight = sh;
        StrideWidth = sw;
        Padding = padding;
        PaddingMode = paddingMode;
        DilationHeight = dh;
        DilationWidth = dw;
        Groups = groups;
        ParameterBudget.Reserve((long)outChannels * (inChannels / groups) * KernelHeight * KernelWidth + (bias ? outChannels : 0), name);
        Weight = new Parameter("weight", ConvolutionSupport.InitialWeight(new Shape(outChannels, inChannels / groups, KernelHeight, KernelWidth), weightInit, random));
        Bias = bias ? new Parameter("bias", new Tensor(outChannels)) : null;
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Filters FN = output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Filter height KH.</summary>
    public int KernelHeight { get; }

    /// <summary>Filter width KW.</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical step SH between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal step SW between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>The padding as given (resolved per input for "same").</summary>
    public ConvPadding Padding { get; }

    /// <summary>What padded cells read.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Vertical spacing DH between filter taps.</summary>
    public int DilationHeight { get; }

    /// <summary>Horizontal spacing DW between filter taps.</summary>
    public int DilationWidth { get; }

    /// <summary>Channel groups (1 = an ordinary convolution).</summary>
    public int Groups { get; }

    /// <summary>The filters, shape (FN, C/groups, KH, KW).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, shape (FN), or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; private set; }

    /// <summary>Whether this convolution applies the ReLU after it itself (set by <see cref="BatchNormFolding.Fold"/>; inference only).</summary>
    public bool FusedRelu { get; private set; }

    internal void FuseRelu() => FusedRelu = true;

    /// <summary>
    /// w[f] ← scale[f]·w[f], b[f] ← scale[f]·b[f] + shift[f] (a bias is created when there is none):
    /// a following per-channel affine map (a batch norm at inference) folded into this convolution.
    /// </summary>

    internal void FoldScaleShift(ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        var w = Weight.Value.Span;
        int perFilter = w.Length / OutChannels;
        for (int f = 0; f < OutChannels; f++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(w.Slice(f * perFilter, perFilter), scale[f], w.Slice(f * perFilter, perFilter));
        Bias ??= new Parameter("bias", new Tensor(OutChannels));
        var b = Bias.Value.Span;
        for (int f = 0; f < OutChannels; f++)
            b[f] = scale[f] * b[f] + shift[f];
    }

    public override IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public override Shape OutputShape(Shape input)
    {
        var g = Geometry(input);
        return new Shape(input[0], OutChannels, g.OutputHeight, g.OutputWidth);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = _geometry = Geometry(input.Shape);
        int n = input.Shape[0];
        var y = ConvolutionSupport.Reuse(ref _output, [n, OutChannels, g.OutputHeight, g.OutputWidth]);
        ReadOnlySpan<float> b = Bias is null ? default : Bias.Value.Span;
        ConvolutionSupport.Forward(g, n, Groups, OutChannels, input.Span, Weight.Value.Span, b, y.Span, Workspace(g, n), FusedRelu);
        _input = input;
        return y;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (FusedRelu)   // this convolution owns the fused ReLU, so it refuses whichever layer calls (a block may skip the ReLU layer)
            throw new InvalidOperationException(
                $"{Describe()}: a ReLU is fused into it for inference (BatchNormFolding.Fold); gradients through a folded model are not available. Use the model before folding.");
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
        ConvolutionSupport.Backward(_geometry, x.Shape[0], Groups, OutChannels,
            x.Span, Weight.Value.Span, outputGradient.Span, dx.Span, dw.Span, db, Workspace(_geometry, x.Shape[0]));
        return dx;
    }

    /// <summary>"features.3 (Conv2d 16@5×5)".</summary>
    private string Who => ConvolutionSupport.Who(this, $"{OutChannels}@{KernelHeight}×{KernelWidth}");

    private Span<float> Workspace(in Conv2dGeometry g, int batch) => ConvolutionSupport.Scratch(
        Groups == 1 ? Convolution2d.WorkspaceSize(g, batch, OutChannels) : Convolution2d.WorkspaceSize(g));   // groups run image by image

    /// <summary>Validates an input shape and returns the geometry of one group for it.</summary>
    private Conv2dGeometry Geometry(Shape input)
    {
        if (input.Rank != 4)
            throw new ArgumentException($"{Who}: expects input [N, {InChannels}, H, W] (rank 4), got {input} (rank {input.Rank}).", nameof(input));
        if (input[1] != InChannels)
            throw new ArgumentException($"{Who}: expects {InChannels} input channels, got {input[1]} (input {input}). Check the previous layer's outChannels.", nameof(input));
        int h = input[2], w = input[3];
        if (h < 1 || w < 1)
            throw new ArgumentException($"{Who}: expects an input of at least 1×1, got {h}×{w} (input {input}).", nameof(input));
        var (top, bottom, left, right) = Padding.Resolve(h, w, KernelHeight, KernelWidth, StrideHeight, StrideWidth, DilationHeight, DilationWidth);
        long ekh = (long)(KernelHeight - 1) * DilationHeight + 1, ekw = (long)(KernelWidth - 1) * DilationWidth + 1;
        long ph = (long)h + top + bottom, pw = (long)w + left + right;
        if (ekh > ph || ekw > pw)
        {
            string dilated = DilationHeight == 1 && DilationWidth == 1 ? "" : $" (dilated to {ekh}×{ekw})";
            throw new ArgumentException(
                $"{Who}: expects an input of at least {ekh}×{ekw} after padding, got {h}×{w} padded to {ph}×{pw} (input {input}){dilated}. " +
                "The kernel is larger than the image: add padding, use a smaller kernel, or remove a downsampling layer before this one.", nameof(input));
        }
        return new Conv2dGeometry(InChannels / Groups, h, w, KernelHeight, KernelWidth, StrideHeight, StrideWidth,
            top, bottom, left, right, DilationHeight, DilationWidth, PaddingMode);
    }
}
