// ResNet.cs — residual networks (He, Zhang, Ren & Sun, "Deep Residual Learning for Image
// Recognition", CVPR 2016), in torchvision's layout and key names.
//
// ImageNet (Table 1): conv1 7×7/2 64 – bn1 – relu – maxpool 3×3/2 – layer1..layer4 (64, 128, 256,
// 512 planes; the first block of layer2..4 has stride 2) – global average pool – fc.
//   resnet18  BasicBlock [2, 2, 2, 2]     11,689,512 parameters   1.8 GMACs at 224×224
//   resnet34  BasicBlock [3, 4, 6, 3]     21,797,672              3.6
//   resnet50  Bottleneck [3, 4, 6, 3]     25,557,032              3.8 (stride on the 1×1; 4.1 on the 3×3)
//   resnet101 Bottleneck [3, 4, 23, 3]    44,549,160              7.6
//   resnet152 Bottleneck [3, 8, 36, 3]    60,192,808             11.3
// (parameter counts are torchvision's; MACs the paper's "FLOPs").
//
// CIFAR-10 (§4.2): conv1 3×3 16 – bn1 – relu – layer1..layer3 of n blocks each (16, 32, 64 planes),
// global average pool – fc 10, depth 6n + 2: resnet20, 32, 44, 56, 110 (0.27M … 1.7M parameters).
//
// Options (ModelSpec):
//   plain=true        no shortcuts at all: the paper's "plain" nets (§4.1), also as plain18/34/20/…
//   shortcut=A|B      A: parameter-free (PadShortcut: subsample + zero channels), the paper's choice for
//                     CIFAR and the default there; B: projection (1×1 conv + BN) where the shape changes,
//                     identity elsewhere, the paper's ImageNet choice and the default there
//   stride_on=1x1|3x3 where a downsampling Bottleneck strides: 1x1 is the paper (default, and what the
//                     lectures' FLOPs table counts), 3x3 is torchvision's v1.5 (its pretrained weights)
//   seed=N            the initial weights' generator;  init=SPEC  their initializer (default He normal)
// Keys: conv1.weight, bn1.running_mean, layer1.0.conv1.weight, layer2.0.downsample.0.weight, fc.bias.
using Cortex.Initializers;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models;

/// <summary>Builders for ResNet (ImageNet and CIFAR forms, residual and plain).</summary>
public static class ResNet
{
    internal static void Register()
    {
        var imagenet = new Shape(3, 224, 224);
        var cifar = new Shape(3, 32, 32);
        foreach (var (depth, counts) in ImageNetDepths)
        {
            string kind = depth >= 50 ? "bottleneck" : "basic";
            int d = depth;
            ModelZoo.Register(new ModelInfo($"resnet{depth}", $"ResNet-{depth}, ImageNet: {kind} blocks {Format(counts)} (He et al. 2016)", imagenet, 1000,
                spec => CreateImageNet(spec, d), new Shape(3, 64, 64)));
        }
        foreach (int depth in CifarDepths)
        {
            int d = depth;
            ModelZoo.Register(new ModelInfo($"resnet{depth}", $"ResNet-{depth}, CIFAR-10: 3 stages of {(depth - 2) / 6} basic blocks, 16/32/64 channels (He et al. 2016 §4.2)", cifar, 10,
                spec => CreateCifar(spec, d), new Shape(3, 8, 8)));
        }
        foreach (int depth in (int[])[18, 34])
        {
            int d = depth;
            ModelZoo.Register(new ModelInfo($"plain{depth}", $"Plain-{depth}: ResNet-{depth} without shortcuts (He et al. 2016 Fig. 4)", imagenet, 1000,
                spec => CreateImageNet(spec, d, plain: true), new Shape(3, 64, 64)));
        }
        foreach (int depth in CifarDepths)
        {
            int d = depth;
            ModelZoo.Register(new ModelInfo($"plain{depth}", $"Plain-{depth}, CIFAR-10: ResNet-{depth} without shortcuts (He et al. 2016 Fig. 6)", cifar, 10,
                spec => CreateCifar(spec, d, plain: true), new Shape(3, 8, 8)));
        }
    }

    private static readonly (int Depth, int[] Blocks)[] ImageNetDepths =
    [
        (18, [2, 2, 2, 2]), (34, [3, 4, 6, 3]), (50, [3, 4, 6, 3]), (101, [3, 4, 23, 3]), (152, [3, 8, 36, 3]),
    ];

    private static readonly int[] CifarDepths = [20, 32, 44, 56, 110];

    private static string Format(int[] counts) => $"[{string.Join(", ", counts)}]";

    /// <summary>ResNet-<paramref name="depth"/> (18, 34, 50, 101, 152) for ImageNet-sized inputs.</summary>
    public static Sequential CreateImageNet(ModelSpec spec, int depth, bool plain = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var blocks = ImageNetDepths.FirstOrDefault(e => e.Depth == depth).Blocks
            ?? throw new ArgumentOutOfRangeException(nameof(depth), $"ResNet: expected an ImageNet depth of 18, 34, 50, 101 or 152, got {depth}.");
        var o = Options.Read(spec, plain, defaultShortcut: 'B');
        bool bottleneck = depth >= 50;
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        var model = new Sequential(spec.Model)
            .Add("conv1", new Conv2d(spec.Input[0], 64, 7, stride: 2, padding: 3, bias: false, random: o.Random, weightInit: o.Init))
            .Add("bn1", new BatchNorm2d(64))
            .Add("relu", new ReLU())
            .Add("maxpool", new MaxPool2d(3, stride: 2, padding: 1));
        int inPlanes = 64;
        int[] planes = [64, 128, 256, 512];
        for (int stage = 0; stage < 4; stage++)
            model.Add($"layer{stage + 1}", MakeLayer(ref inPlanes, planes[stage], blocks[stage], stage == 0 ? 1 : 2, bottleneck, o));
        return model
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Dense(512 * expansion, spec.NumClasses, random: o.Random, weightInit: o.Init));
    }

    /// <summary>ResNet-<paramref name="depth"/> for CIFAR-10 (depth = 6n + 2: 20, 32, 44, 56, 110, …).</summary>
    public static Sequential CreateCifar(ModelSpec spec, int depth, bool plain = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), $"ResNet: a CIFAR ResNet has depth 6n + 2 (20, 32, 44, 56, 110), got {depth}.");
        int n = (depth - 2) / 6;
        var o = Options.Read(spec, plain, defaultShortcut: 'A');
        var model = new Sequential(spec.Model)
            .Add("conv1", new Conv2d(spec.Input[0], 16, 3, padding: 1, bias: false, random: o.Random, weightInit: o.Init))
            .Add("bn1", new BatchNorm2d(16))
            .Add("relu", new ReLU());
        int inPlanes = 16;
        int[] planes = [16, 32, 64];
        for (int stage = 0; stage < 3; stage++)
            model.Add($"layer{stage + 1}", MakeLayer(ref inPlanes, planes[stage], n, stage == 0 ? 1 : 2, bottleneck: false, o));
        return model
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Dense(64, spec.NumClasses, random: o.Random, weightInit: o.Init));
    }

    // torchvision's _make_layer: the first block takes the stride and, when the shape changes, the shortcut's projection.
    private static Sequential MakeLayer(ref int inPlanes, int planes, int blocks, int stride, bool bottleneck, Options o)
    {
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        var layer = new Sequential("layer");
        for (int i = 0; i < blocks; i++)
        {
            int s = i == 0 ? stride : 1;
            Layer? downsample = null;
            if (!o.Plain && (s != 1 || inPlanes != planes * expansion))
            {
                downsample = o.Shortcut == 'A'
                    ? new PadShortcut(inPlanes, planes * expansion, s)
                    : BasicBlock.Projection(inPlanes, planes * expansion, s, o.Random, o.Init);
            }
            Layer block = bottleneck
                ? new Bottleneck(inPlanes, planes, s, downsample, residual: !o.Plain, o.StrideOn, o.Random, o.Init)
                : new BasicBlock(inPlanes, planes, s, downsample, residual: !o.Plain, o.Random, o.Init);
            layer.Add(block);
            inPlanes = planes * expansion;
        }
        return layer;
    }

    private sealed record Options(bool Plain, char Shortcut, BottleneckStride StrideOn, CortexRandom Random, Initializer? Init)
    {
        public static Options Read(ModelSpec spec, bool plain, char defaultShortcut)
        {
            plain = spec.Flag("plain", plain);
            char shortcut = spec.Option("shortcut")?.ToUpperInvariant() switch
            {
                null => defaultShortcut,
                "A" => 'A',
                "B" => 'B',
                var other => throw new ArgumentException($"ResNet: option shortcut expects A (zero-padding identity) or B (projection), got '{other}'.", nameof(spec)),
            };
            var strideOn = spec.Option("stride_on") switch
            {
                null or "1x1" => BottleneckStride.OneByOne,
                "3x3" => BottleneckStride.ThreeByThree,
                var other => throw new ArgumentException($"ResNet: option stride_on expects 1x1 (the paper) or 3x3 (torchvision v1.5), got '{other}'.", nameof(spec)),
            };
            return new Options(plain, shortcut, strideOn, new CortexRandom((ulong)spec.Number("seed", 0)), spec.WeightInit);
        }
    }
}
