// Conv1d.cs — 1-D convolution over signals and sequences (PyTorch's nn.Conv1d).
//
//   x: (N, C, L)   weight: (FN, C/groups, K)   bias: (FN)   y: (N, FN, OL)
//   OL = (L + PL + PR − ((K − 1)·D + 1)) / S + 1
//   y[n, f, o] = b[f] + Σ_c Σ_k w[f, c, k] · xpad[n, c, o·S − PL + k·D]
//
// The lectures' 1-D example: the signal (3, 2, 4, 5, 1, 20, 2, 2) smoothed by (0.3, 0.4, 0.3) with
// one cell of padding each side gives 1.8 … 1.4 with zero padding ("0 덧대기") and 2.7 … 2.0 with
// copy padding ("복사 덧대기", PaddingMode.Replicate): only the two ends differ.
//
// Runs on the 2-D kernel: (N, C, L) is (N, C, 1, L) as stored, and Conv2dGeometry.For1d is the
// window with H = KH = 1. Padding reads Left and Right of a ConvPadding (a number pads both ends).
using Cortex.Initializers;
using Cortex.Kernels;
using Cortex.Tensors;
using Tensor = Cortex.Tensors.Tensor;

namespace Cortex.Layers;

/// <summary>A 1-D convolution over (N, C, L) inputs, with stride, padding, dilation and groups.</summary>
/// <example><code>
/// var smooth = new Conv1d(1, 1, kernelSize: 3, padding: 1, paddingMode: PaddingMode.Replicate, bias: false);
/// Tensor y = smooth.Forward(signal, training: false);   // signal: (1, 1, 8) → y: (1, 1, 8)
/// </code></example>
public sealed class Conv1d : Layer
{
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _inputGradient;
    private Tensor? _frozenWeightGradient;
    private Conv2dGeometry _geometry;       // of one group, as a 1×L image

    /// <summary>
    /// Creates FN = <paramref name="outChannels"/> filters of length <paramref name="kernelSize"/>
    /// over <paramref name="inChannels"/> channels; He-normal weights N(0, 2 / (C/groups·K)) from
    /// <paramref name="random"/> (or <paramref name="weightInit"/>), zero bias. <paramref name="padding"/> is a number (both ends),
    /// <c>ConvPadding.Explicit(0, 0, left, right)</c>, <c>"same"</c> or <c>"valid"</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or negative padding.</exception>
    /// <exception cref="ArgumentException">Channels not divisible by groups.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding padding = default,
        PaddingMode paddingMode = PaddingMode.Zero, int dilation = 1, int groups = 1, bool bias = true,
        CortexRandom? random = null, string name = "conv", Initializer? weightInit = null)
        : base(name)
    {
        const string Kind = nameof(Conv1d);
        ConvolutionSupport.CheckChannels(Kind, inChannels, outChannels, groups);
        ConvolutionSupport.AtLeast(Kind, nameof(kernelSize), kernelSize, 1);
        ConvolutionSupport.AtLeast(Kind, nameof(stride), stride, 1);
        ConvolutionSupport.AtLeast(Kind, nameof(dilation), dilation, 1);
        ConvolutionSupport.AtLeast(Kind, nameof(padding), Math.Min(padding.Left, padding.Right), 0);
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Replicate))
            throw new ArgumentOutOfRangeException(nameof(paddingMode), paddingMode, $"{Kind}: expected padding mode Zero or Replicate, got {paddingMode}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        PaddingMode = paddingMode;
        Dilation = dilation;
        Groups = groups;
        ParameterBudget.Reserve((long)outChannels * (inChannels / groups) * kernelSize + (bias ? outChannels : 0), name);
        Weight = new Parameter("weight", ConvolutionSupport.InitialWeight(new Shape(outChannels, inChannels / groups, kernelSize), weightInit, random));
        Bias = bias ? new Parameter("bias", new Tensor(outChannels)) : null;
    }

    /// <summary>Input channels C.</summary>
    public int InChannels { get; }

    /// <summary>Filters FN = output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Filter length K.</summary>
    public int KernelSize { get; }

    /// <summary>Step S between windows.</summary>
    public int Stride { get; }

    /// <summary>The padding as given (Left and Right are used; "same" is resolved per input).</summary>
    public ConvPadding Padding { get; }

    /// <summary>What padded cells read.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Spacing D between filter taps.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters, shape (FN, C/groups, K).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, shape (FN), or null.</summary>
    public Parameter? Bias { get; }

    public override IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    public override Shape OutputShape(Shape input)
    {
        var g = Geometry(input);
        return new Shape(input[0], OutChannels, g.OutputWidth);
    }

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var g = _geometry = Geometry(input.Shape);
        int n = input.Shape[0];
        var y = ConvolutionSupport.Reuse(ref _output, [n, OutChannels, g.OutputWidth]);
        ReadOnlySpan<float> b = Bias is null ? default : Bias.Value.Span;
        ConvolutionSupport.Forward(g, n, Groups, OutChannels, input.Span, Weight.Value.Span, b, y.Span, Workspace(g, n));
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
        ConvolutionSupport.Backward(_geometry, x.Shape[0], Groups, OutChannels,
            x.Span, Weight.Value.Span, outputGradient.Span, dx.Span, dw.Span, db, Workspace(_geometry, x.Shape[0]));
        return dx;
    }

    /// <summary>"encoder.0 (Conv1d 16@5)".</summary>
    private string Who => ConvolutionSupport.Who(this, $"{OutChannels}@{KernelSize}");

    private Span<float> Workspace(in Conv2dGeometry g, int batch) => ConvolutionSupport.Scratch(
        Groups == 1 ? Convolution2d.WorkspaceSize(g, batch, OutChannels) : Convolution2d.WorkspaceSize(g));   // groups run image by image

    private Conv2dGeometry Geometry(Shape input)
    {
        if (input.Rank != 3)
            throw new ArgumentException($"{Who}: expects input [N, {InChannels}, L] (rank 3), got {input} (rank {input.Rank}).", nameof(input));
        if (input[1] != InChannels)
            throw new ArgumentException($"{Who}: expects {InChannels} input channels, got {input[1]} (input {input}). Check the previous layer's outChannels.", nameof(input));
        int length = input[2];
        if (length < 1)
            throw new ArgumentException($"{Who}: expects a signal of length ≥ 1, got {length} (input {input}).", nameof(input));
        var (left, right) = Padding.IsSame ? ConvPadding.SameSplit(length, KernelSize, Stride, Dilation) : (Padding.Left, Padding.Right);
        long effective = (long)(KernelSize - 1) * Dilation + 1, padded = (long)length + left + right;
        if (effective > padded)
            throw new ArgumentException(
                $"{Who}: expects a signal of length at least {effective} after padding, got {length} padded to {padded} (input {input}). " +
                "Add padding or use a smaller kernel.", nameof(input));
        return Conv2dGeometry.For1d(InChannels / Groups, length, KernelSize, Stride, left, right, Dilation, PaddingMode);
    }
}
