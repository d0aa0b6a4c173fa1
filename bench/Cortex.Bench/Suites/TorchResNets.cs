// TorchResNets.cs — the libtorch side of the bench's ResNets, written with TorchSharp to be the same
// architectures as the Cortex models they are timed against (see Network.cs):
//
//   ResNet-20          Cortex ModelZoo "resnet20" (src/Cortex.Models/ResNet.cs CreateCifar): conv1 3×3 16
//                      – bn – relu – 3 stages × 3 BasicBlocks (16, 32, 64 planes; stride 2 at the start of
//                      stages 2 and 3) – global average pool – fc 64 → 10. Shortcuts: the zoo's CIFAR
//                      default, option A (PadShortcut: keep every 2nd pixel, zero channels split before
//                      and after), no parameters. 269,722 parameters.
//   ResNet-18 at 32×32 CortexResNet18At32: a 3×3/1 64 stem without max pool, 4 stages × 2 BasicBlocks
//                      (64…512), option B projections (1×1 conv/stride + bn) where the shape changes.
//                      11,173,962 parameters.
//   ResNet-50          Cortex ModelZoo "resnet50" (CreateImageNet): 7×7/2 stem, bn, relu, 3×3/2 max pool
//                      (padding 1), Bottlenecks [3, 4, 6, 3] with option B projections, fc 2048 → 1000.
//                      The zoo's default puts a downsampling Bottleneck's stride on its first 1×1
//                      convolution (the paper's ResNet-50), not on the 3×3 (torchvision's v1.5): so does
//                      this one. 25,557,032 parameters either way.
//
// Every convolution is without bias (batch norm follows); batch norm is eps 1e-5, momentum 0.1
// (Cortex's BatchNorm2d defaults, and PyTorch's); the heads are Linear with bias. Modules and their
// keys follow torchvision (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc), registered in the
// order Cortex lists its children, so both sides list their parameters in the same order
// (ParameterLayout, ArchitectureCheck). As in torchvision, the ReLUs and the residual addition work
// in place.
using Cortex.Models;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchModule = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace Cortex.Bench.Suites;

/// <summary>TorchSharp definitions of the ResNets the bench compares.</summary>
public static class TorchResNets
{
    /// <summary>Batch norm epsilon, as Cortex's BatchNorm2d default.</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Batch norm momentum (weight of the new batch), as Cortex's BatchNorm2d default.</summary>
    public const double BatchNormMomentum = 0.1;

    /// <summary>ResNet-20 for 3×32×32 inputs, option A shortcuts, as ModelZoo "resnet20".</summary>
    public static TorchModule ResNet20(int classes = 10)
    {
        var layers = Stem(Conv2d(3, 16, 3, stride: 1, padding: 1, bias: false), 16, maxPool: false);
        int inPlanes = 16;
        int[] planes = [16, 32, 64];
        for (int stage = 0; stage < planes.Length; stage++)
            layers.Add(($"layer{stage + 1}", Stage(ref inPlanes, planes[stage], 3, stage == 0 ? 1 : 2, bottleneck: false, padShortcut: true)));
        return Head(layers, inPlanes, classes);
    }

    /// <summary>ResNet-18 with the CIFAR stem (3×3/1, no max pool) for 3×32×32 inputs, as <see cref="CortexResNet18At32"/>.</summary>
    public static TorchModule ResNet18At32(int classes = 10)
    {
        var layers = Stem(Conv2d(3, 64, 3, stride: 1, padding: 1, bias: false), 64, maxPool: false);
        int inPlanes = 64;
        int[] planes = [64, 128, 256, 512];
        for (int stage = 0; stage < planes.Length; stage++)
            layers.Add(($"layer{stage + 1}", Stage(ref inPlanes, planes[stage], 2, stage == 0 ? 1 : 2, bottleneck: false, padShortcut: false)));
        return Head(layers, inPlanes, classes);
    }

    /// <summary>ResNet-50 for 3×224×224 inputs, stride on the first 1×1 of a downsampling block, as ModelZoo "resnet50".</summary>
    public static TorchModule ResNet50(int classes = 1000)
    {
        var layers = Stem(Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), 64, maxPool: true);
        int inPlanes = 64;
        int[] planes = [64, 128, 256, 512];
        int[] blocks = [3, 4, 6, 3];
        for (int stage = 0; stage < planes.Length; stage++)
            layers.Add(($"layer{stage + 1}", Stage(ref inPlanes, planes[stage], blocks[stage], stage == 0 ? 1 : 2, bottleneck: true, padShortcut: false)));
        return Head(layers, inPlanes, classes);
    }

    /// <summary>A batch norm with the bench's (and Cortex's) epsilon and momentum.</summary>
    internal static TorchModule BatchNorm(long features) => BatchNorm2d(features, eps: BatchNormEpsilon, momentum: BatchNormMomentum);

    /// <summary>The option B shortcut: 1×1 convolution with the block's stride, no bias, then batch norm (keys 0, 1).</summary>
    internal static TorchModule Projection(long inPlanes, long outPlanes, long stride) =>
        Sequential(("0", Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false)), ("1", BatchNorm(outPlanes)));

    private static List<(string, TorchModule)> Stem(TorchModule conv, long planes, bool maxPool)
    {
        List<(string, TorchModule)> layers = [("conv1", conv), ("bn1", BatchNorm(planes)), ("relu", ReLU(inplace: true))];
        if (maxPool)
            layers.Add(("maxpool", MaxPool2d(3, stride: 2, padding: 1)));
        return layers;
    }

    private static TorchModule Head(List<(string, TorchModule)> layers, long features, int classes)
    {
        layers.Add(("avgpool", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc", Linear(features, classes)));
        return Sequential([.. layers]);
    }

    // As Cortex's ResNet.MakeLayer (torchvision's _make_layer): the first block takes the stride and,
    // where the shape changes, the shortcut (option A: PadShortcut; option B: a projection).
    private static TorchModule Stage(ref int inPlanes, int planes, int blocks, int stride, bool bottleneck, bool padShortcut)
    {
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        var stage = new List<(string, TorchModule)>();
        for (int i = 0; i < blocks; i++)
        {
            int s = i == 0 ? stride : 1;
            TorchModule? downsample = null;
            if (s != 1 || inPlanes != planes * expansion)
            {
                downsample = padShortcut
                    ? new TorchPadShortcut(inPlanes, planes * expansion, s)
                    : Projection(inPlanes, planes * expansion, s);
            }
            TorchModule block = bottleneck
                ? new TorchBottleneck(inPlanes, planes, s, downsample)
                : new TorchBasicBlock(inPlanes, planes, s, downsample);
            stage.Add(($"{i}", block));
            inPlanes = planes * expansion;
        }
        return Sequential([.. stage]);
    }
}

/// <summary>torchvision's BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3 convolutions without bias.</summary>
public sealed class TorchBasicBlock : TorchModule
{
    private readonly TorchModule _conv1, _bn1, _relu, _conv2, _bn2;
    private readonly TorchModule? _downsample;

    /// <summary>From <paramref name="inPlanes"/> to <paramref name="planes"/> channels; <paramref name="downsample"/> null means the identity shortcut.</summary>
    public TorchBasicBlock(long inPlanes, long planes, long stride, TorchModule? downsample) : base(nameof(TorchBasicBlock))
    {
        _conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        _bn1 = TorchResNets.BatchNorm(planes);
        _relu = ReLU(inplace: true);
        _conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        _bn2 = TorchResNets.BatchNorm(planes);
        _downsample = downsample;
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("relu", _relu);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        if (_downsample is not null)
            register_module("downsample", _downsample);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = _relu.forward(_bn1.forward(_conv1.forward(input)));
        y = _bn2.forward(_conv2.forward(y));
        y.add_(_downsample is null ? input : _downsample.forward(input));
        return _relu.forward(y);
    }
}

/// <summary>
/// torchvision's Bottleneck (1×1 reduce, 3×3, 1×1 expand ×4, batch norm after each, shortcut), with the stride of a
/// downsampling block on the first 1×1 as Cortex's default (<see cref="BottleneckStride.OneByOne"/>).
/// </summary>
public sealed class TorchBottleneck : TorchModule
{
    private readonly TorchModule _conv1, _bn1, _conv2, _bn2, _conv3, _bn3, _relu;
    private readonly TorchModule? _downsample;

    /// <summary>From <paramref name="inPlanes"/> to <paramref name="planes"/>·4 channels; <paramref name="downsample"/> null means the identity shortcut.</summary>
    public TorchBottleneck(long inPlanes, long planes, long stride, TorchModule? downsample) : base(nameof(TorchBottleneck))
    {
        _conv1 = Conv2d(inPlanes, planes, 1, stride: stride, bias: false);
        _bn1 = TorchResNets.BatchNorm(planes);
        _conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        _bn2 = TorchResNets.BatchNorm(planes);
        _conv3 = Conv2d(planes, planes * Bottleneck.Expansion, 1, bias: false);
        _bn3 = TorchResNets.BatchNorm(planes * Bottleneck.Expansion);
        _relu = ReLU(inplace: true);
        _downsample = downsample;
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        register_module("conv3", _conv3);
        register_module("bn3", _bn3);
        register_module("relu", _relu);
        if (_downsample is not null)
            register_module("downsample", _downsample);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = _relu.forward(_bn1.forward(_conv1.forward(input)));
        y = _relu.forward(_bn2.forward(_conv2.forward(y)));
        y = _bn3.forward(_conv3.forward(y));
        y.add_(_downsample is null ? input : _downsample.forward(input));
        return _relu.forward(y);
    }
}

/// <summary>
/// ResNet's option A shortcut, as Cortex's <see cref="PadShortcut"/>: every <c>stride</c>-th pixel, the channels
/// zero-padded from C to C' with (C' − C) / 2 zero channels before the copied ones and the rest after.
/// </summary>
public sealed class TorchPadShortcut : TorchModule
{
    private readonly long _stride, _before, _after;

    /// <summary>Maps <paramref name="inChannels"/> to <paramref name="outChannels"/> channels, keeping every <paramref name="stride"/>-th pixel.</summary>
    public TorchPadShortcut(long inChannels, long outChannels, long stride) : base(nameof(TorchPadShortcut))
    {
        _stride = stride;
        _before = (outChannels - inChannels) / 2;
        _after = outChannels - inChannels - _before;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var kept = input[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
        return functional.pad(kept, [0, 0, 0, 0, _before, _after]);   // (W left, W right, H top, H bottom, C front, C back)
    }
}
