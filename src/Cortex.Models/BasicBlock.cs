// BasicBlock.cs — ResNet's two-layer block (He et al. 2016, Fig. 2 left; torchvision's BasicBlock):
//
//   out = relu2( bn2(conv2(relu1(bn1(conv1(x))))) + shortcut(x) )
//   conv1: 3×3 / stride, conv2: 3×3 / 1, both without bias (batch norm follows)
//   shortcut(x) = x, or downsample(x) when the shape changes (projection: 1×1 conv / stride + BN, or
//   option A's parameter-free subsample-and-zero-pad); a plain block (no shortcut) drops the '+'.
//
//   backward  ds = relu2'(dy)
//             dx = conv1'(bn1'(relu1'(conv2'(bn2'(ds))))) + downsample'(ds)   x fans out: gradients add
//
// Children (state-dict segments, torchvision's): conv1, bn1, relu1, conv2, bn2, downsample, relu2
// (torchvision reuses one `relu` module; ours keep state, so there are two — they have no keys).
// relu1 is computed by bn1 in the same memory pass (BatchNorm.Forward(relu: true)), and relu2 by
// the sum's pass (ResidualSupport.AddRelu), forward and backward; the children stay for the
// topology and for folding, which fuses relu1 into conv1.
using Cortex.Diagnostics;
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>ResNet's basic block: two 3×3 convolutions with batch norm and a shortcut.</summary>
/// <example><code>
/// var block = new BasicBlock(64, 128, stride: 2, downsample: BasicBlock.Projection(64, 128, 2));
/// block.OutputShape(new Shape(1, 64, 56, 56));   // [1, 128, 28, 28]
/// </code></example>
public sealed class BasicBlock : Layer, ILayerTopology, IConvolutionNormPairs
{
    private Tensor? _output, _sumGradient, _inputGradient;
    private readonly ResidualWork _work = new();
    private bool _ran;

    /// <summary>Output channels = planes × Expansion (1 for the basic block).</summary>
    public const int Expansion = 1;

    /// <summary>
    /// Creates the block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels. <paramref name="downsample"/>
    /// is the shortcut when the shape changes (null: identity). <paramref name="residual"/> false makes the plain block.
    /// </summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1, Layer? downsample = null, bool residual = true,
        CortexRandom? random = null, Initializer? weightInit = null, string name = "block") : base(name)
    {
        Conv1 = new Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false, random: random, name: "conv1", weightInit: weightInit);
        Bn1 = new BatchNorm2d(planes, name: "bn1");
        Relu1 = new ReLU("relu1");
        Conv2 = new Conv2d(planes, planes, 3, padding: 1, bias: false, random: random, name: "conv2", weightInit: weightInit);
        Bn2 = new BatchNorm2d(planes, name: "bn2");
        Relu2 = new ReLU("relu2");
        if (!residual && downsample is not null)
            throw new ArgumentException("BasicBlock: a plain block (residual: false) has no shortcut, so it takes no downsample.", nameof(downsample));
        Downsample = downsample;
        IsResidual = residual;
        foreach (var (key, child) in Children)
            Adopt(key, child);
    }

    /// <summary>3×3 / stride.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after conv1.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>ReLU after bn1.</summary>
    public ReLU Relu1 { get; }

    /// <summary>3×3 / 1.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after conv2.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>ReLU after the sum.</summary>
    public ReLU Relu2 { get; }

    /// <summary>The shortcut's projection, or null for the identity (or for a plain block).</summary>
    public Layer? Downsample { get; }

    /// <summary>False for the plain block of the paper's comparison (no shortcut at all).</summary>
    public bool IsResidual { get; }

    public override IEnumerable<(string Name, Layer Layer)> Children
    {
        get
        {
            yield return ("conv1", Conv1);
            yield return ("bn1", Bn1);
            yield return ("relu1", Relu1);
            yield return ("conv2", Conv2);
            yield return ("bn2", Bn2);
            if (Downsample is not null)
                yield return ("downsample", Downsample);
            yield return ("relu2", Relu2);
        }
    }

    /// <inheritdoc/>
    public LayerTopology Topology
    {
        get
        {
            var body = LayerTopology.Chain(Conv1, Bn1, Relu1, Conv2, Bn2);
            var sum = !IsResidual ? body : LayerTopology.Sum(body, Downsample is null ? LayerTopology.Identity : Downsample);
            return LayerTopology.Chain(sum, Relu2);
        }
    }

    /// <summary>The projection shortcut (option B): 1×1 conv / stride without bias, then batch norm; keys downsample.0, downsample.1.</summary>
    public static Sequential Projection(int inChannels, int outChannels, int stride, CortexRandom? random = null, Initializer? weightInit = null) =>
        new Sequential("downsample",
            new Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, random: random, weightInit: weightInit),
            new BatchNorm2d(outChannels));

    public override Shape OutputShape(Shape input)
    {
        var body = Bn2.OutputShape(Conv2.OutputShape(Conv1.OutputShape(input)));
        if (IsResidual)
            ResidualSupport.CheckSum(this, body, Downsample?.OutputShape(input) ?? input, Downsample is null);
        return body;
    }

    /// <summary>Each convolution of the body and the batch norm after it (the downsample is a Sequential that names its own).</summary>
    public IEnumerable<(Conv2d Convolution, BatchNorm2d Norm)> ConvolutionNormPairs => [(Conv1, Bn1), (Conv2, Bn2)];

    /// <summary>The ReLUs that take a convolution's output once its batch norm is folded (not the one after the sum).</summary>
    public IEnumerable<(Conv2d Convolution, ReLU Relu)> ConvolutionReluPairs => Bn1.IsFolded ? [(Conv1, Relu1)] : [];

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var body = Bn2.Forward(Conv2.Forward(Bn1.Forward(Conv1.Forward(input, training), training, relu: true), training), training);   // relu1 runs inside bn1
        _ran = true;
        if (!IsResidual)
            return Relu2.Forward(body, training);
        var shortcut = Downsample?.Forward(input, training) ?? input;
        return ResidualSupport.AddRelu(this, ref _output, body, shortcut, Downsample is null, _work);   // max(F(x) + shortcut(x), 0): relu2 in the same pass
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (IsResidual && outputGradient.Shape != _output!.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var dSum = IsResidual ? ResidualSupport.ReluGradient(ref _sumGradient, _output!, outputGradient, _work)   // '+' sends ds to both paths
            : Relu2.Backward(outputGradient);
        var dBody = Conv1.Backward(Bn1.Backward(Conv2.Backward(Bn2.Backward(dSum))));   // bn1's backward includes relu1's
        if (!IsResidual)
            return dBody;
        var dShortcut = Downsample?.Backward(dSum) ?? dSum;
        return ResidualSupport.AddGradients(ref _inputGradient, dBody, dShortcut, _work);   // both paths meet at x
    }
}
