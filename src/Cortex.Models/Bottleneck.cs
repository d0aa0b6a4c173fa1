// Bottleneck.cs — ResNet's three-layer block for ResNet-50/101/152 (He et al. 2016, Fig. 5 right;
// torchvision's Bottleneck):
//
//   out = relu3( bn3(conv3(relu2(bn2(conv2(relu1(bn1(conv1(x)))))))) + shortcut(x) )
//   conv1: 1×1 → planes, conv2: 3×3 → planes, conv3: 1×1 → planes·4, all without bias
//
// Where the stride goes when the block downsamples: the paper's original puts it on conv1 (the
// first 1×1; "downsampling is performed by conv3_1, conv4_1, and conv5_1 with a stride of 2"),
// torchvision's "ResNet v1.5" on conv2 (the 3×3), which costs more multiply-adds (ResNet-50:
// 4.1G instead of the paper's 3.8G) and is what torchvision's pretrained weights expect. The
// parameters are the same either way. StrideOn chooses.
//
//   backward  ds = relu3'(dy);  dx = conv1'(…bn3'(ds)) + downsample'(ds)   x fans out: gradients add
//
// Children (state-dict segments, torchvision's): conv1, bn1, relu1, conv2, bn2, relu2, conv3, bn3,
// downsample, relu3 (the ReLUs have no keys). relu1 and relu2 are computed by bn1 and bn2 in the
// same memory pass (BatchNorm.Forward(relu: true)), relu3 by the sum's (ResidualSupport.AddRelu);
// the children stay for the topology and for folding.
using Cortex.Diagnostics;
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Which convolution of a downsampling <see cref="Bottleneck"/> carries the stride.</summary>
public enum BottleneckStride
{
    /// <summary>The first 1×1 convolution, as in He et al. 2016 (and Caffe's original models).</summary>
    OneByOne,

    /// <summary>The 3×3 convolution, as torchvision's ResNet v1.5.</summary>
    ThreeByThree,
}

/// <summary>ResNet's bottleneck block: 1×1 reduce, 3×3, 1×1 expand (×4), with batch norm and a shortcut.</summary>
/// <example><code>
/// var block = new Bottleneck(256, 128, stride: 2, downsample: BasicBlock.Projection(256, 512, 2));
/// block.OutputShape(new Shape(1, 256, 56, 56));   // [1, 512, 28, 28]
/// </code></example>
public sealed class Bottleneck : Layer, ILayerTopology, IConvolutionNormPairs
{
    private Tensor? _output, _sumGradient, _inputGradient;
    private readonly ResidualWork _work = new();
    private bool _ran;

    /// <summary>Output channels = planes × Expansion.</summary>
    public const int Expansion = 4;

    /// <summary>
    /// Creates the block from <paramref name="inPlanes"/> channels to <paramref name="planes"/>·4. <paramref name="downsample"/> is the
    /// shortcut's projection when the shape changes (null: identity); <paramref name="residual"/> false makes the plain block.
    /// </summary>
    public Bottleneck(int inPlanes, int planes, int stride = 1, Layer? downsample = null, bool residual = true,
        BottleneckStride strideOn = BottleneckStride.OneByOne, CortexRandom? random = null, Initializer? weightInit = null, string name = "block") : base(name)
    {
        int s1 = strideOn == BottleneckStride.OneByOne ? stride : 1, s2 = strideOn == BottleneckStride.OneByOne ? 1 : stride;
        Conv1 = new Conv2d(inPlanes, planes, 1, stride: s1, bias: false, random: random, name: "conv1", weightInit: weightInit);
        Bn1 = new BatchNorm2d(planes, name: "bn1");
        Relu1 = new ReLU("relu1");
        Conv2 = new Conv2d(planes, planes, 3, stride: s2, padding: 1, bias: false, random: random, name: "conv2", weightInit: weightInit);
        Bn2 = new BatchNorm2d(planes, name: "bn2");
        Relu2 = new ReLU("relu2");
        Conv3 = new Conv2d(planes, planes * Expansion, 1, bias: false, random: random, name: "conv3", weightInit: weightInit);
        Bn3 = new BatchNorm2d(planes * Expansion, name: "bn3");
        Relu3 = new ReLU("relu3");
        if (!residual && downsample is not null)
            throw new ArgumentException("Bottleneck: a plain block (residual: false) has no shortcut, so it takes no downsample.", nameof(downsample));
        Downsample = downsample;
        IsResidual = residual;
        StrideOn = strideOn;
        foreach (var (key, child) in Children)
            Adopt(key, child);
    }

    /// <summary>1×1 reduce.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after conv1.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>ReLU after bn1.</summary>
    public ReLU Relu1 { get; }

    /// <summary>3×3.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after conv2.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>ReLU after bn2.</summary>
    public ReLU Relu2 { get; }

    /// <summary>1×1 expand to planes·4.</summary>
    public Conv2d Conv3 { get; }

    /// <summary>Batch norm after conv3.</summary>
    public BatchNorm2d Bn3 { get; }

    /// <summary>ReLU after the sum.</summary>
    public ReLU Relu3 { get; }

    /// <summary>The shortcut's projection, or null for the identity (or for a plain block).</summary>
    public Layer? Downsample { get; }

    /// <summary>False for a plain block (no shortcut).</summary>
    public bool IsResidual { get; }

    /// <summary>Which convolution carries the stride.</summary>
    public BottleneckStride StrideOn { get; }

    public override IEnumerable<(string Name, Layer Layer)> Children
    {
        get
        {
            yield return ("conv1", Conv1);
            yield return ("bn1", Bn1);
            yield return ("relu1", Relu1);
            yield return ("conv2", Conv2);
            yield return ("bn2", Bn2);
            yield return ("relu2", Relu2);
            yield return ("conv3", Conv3);
            yield return ("bn3", Bn3);
            if (Downsample is not null)
                yield return ("downsample", Downsample);
            yield return ("relu3", Relu3);
        }
    }

    /// <inheritdoc/>
    public LayerTopology Topology
    {
        get
        {
            var body = LayerTopology.Chain(Conv1, Bn1, Relu1, Conv2, Bn2, Relu2, Conv3, Bn3);
            var sum = !IsResidual ? body : LayerTopology.Sum(body, Downsample is null ? LayerTopology.Identity : Downsample);
            return LayerTopology.Chain(sum, Relu3);
        }
    }

    public override Shape OutputShape(Shape input)
    {
        var body = Conv3.OutputShape(Conv2.OutputShape(Conv1.OutputShape(input)));
        if (IsResidual)
            ResidualSupport.CheckSum(this, body, Downsample?.OutputShape(input) ?? input, Downsample is null);
        return body;
    }

    /// <summary>Each convolution of the body and the batch norm after it (the downsample is a Sequential that names its own).</summary>
    public IEnumerable<(Conv2d Convolution, BatchNorm2d Norm)> ConvolutionNormPairs => [(Conv1, Bn1), (Conv2, Bn2), (Conv3, Bn3)];

    /// <summary>The ReLUs that take a convolution's output once its batch norm is folded (not the one after the sum).</summary>
    public IEnumerable<(Conv2d Convolution, ReLU Relu)> ConvolutionReluPairs => [.. (Bn1.IsFolded ? new[] { (Conv1, Relu1) } : []), .. (Bn2.IsFolded ? new[] { (Conv2, Relu2) } : [])];

    public override Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        var h = Bn1.Forward(Conv1.Forward(input, training), training, relu: true);   // relu1 and relu2 run inside bn1 and bn2
        h = Bn2.Forward(Conv2.Forward(h, training), training, relu: true);
        var body = Bn3.Forward(Conv3.Forward(h, training), training);
        _ran = true;
        if (!IsResidual)
            return Relu3.Forward(body, training);
        var shortcut = Downsample?.Forward(input, training) ?? input;
        return ResidualSupport.AddRelu(this, ref _output, body, shortcut, Downsample is null, _work);   // max(F(x) + shortcut(x), 0): relu3 in the same pass
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_ran)
            throw BackwardBeforeForward();
        if (IsResidual && outputGradient.Shape != _output!.Shape)
            throw OutputGradientShapeError(_output.Shape, outputGradient.Shape);
        var dSum = IsResidual ? ResidualSupport.ReluGradient(ref _sumGradient, _output!, outputGradient, _work)   // '+' sends ds to both paths
            : Relu3.Backward(outputGradient);
        var d = Conv3.Backward(Bn3.Backward(dSum));
        var dBody = Conv1.Backward(Bn1.Backward(Conv2.Backward(Bn2.Backward(d))));
        if (!IsResidual)
            return dBody;
        var dShortcut = Downsample?.Backward(dSum) ?? dSum;
        return ResidualSupport.AddGradients(ref _inputGradient, dBody, dShortcut, _work);   // both paths meet at x
    }
}
