// CortexResNet18At32.cs — the Cortex side of "ResNet-18 adapted to 32×32", built here because the
// model zoo's resnet18 is the ImageNet form only (7×7/2 stem and a 3×3/2 max pool, which leave a
// 32×32 image 8×8 before layer1 and 1×1 at the end) and has no option for a CIFAR stem.
//
// The common CIFAR adaptation (e.g. the widely used pytorch-cifar ResNet18) keeps ResNet-18's four
// stages and swaps the stem for a 3×3 convolution with stride 1 and no max pool:
//
//   conv1 3×3/1 64, no bias – bn1 – relu                                 32×32
//   layer1  2 BasicBlocks  64 planes, stride 1, identity shortcuts       32×32
//   layer2  2 BasicBlocks 128 planes, first stride 2                     16×16
//   layer3  2 BasicBlocks 256 planes, first stride 2                      8×8
//   layer4  2 BasicBlocks 512 planes, first stride 2                      4×4
//   avgpool (global) – flatten – fc 512 → classes (with bias)
//
// Where a block changes the shape its shortcut is the zoo's projection (option B: 1×1 conv with the
// block's stride, no bias, then batch norm). The blocks are the zoo's own BasicBlock, so this runs
// the same layer code as the zoo's ResNets; only the stem differs from ModelZoo "resnet18".
// 11,173,962 parameters for 10 classes (bench/Cortex.Bench.Tests checks it without libtorch).
//
// This file uses Cortex only (no TorchSharp): the test project compiles it in directly.
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;

namespace Cortex.Bench.Suites;

/// <summary>ResNet-18 with a CIFAR stem (3×3 stride-1 conv, no max pool), for 32×32 inputs, built from the zoo's blocks.</summary>
public static class CortexResNet18At32
{
    /// <summary>Planes of the four stages.</summary>
    public static IReadOnlyList<int> Planes { get; } = [64, 128, 256, 512];

    /// <summary>Basic blocks per stage (ResNet-18).</summary>
    public const int BlocksPerStage = 2;

    /// <summary>
    /// Builds the network for <paramref name="inChannels"/>-channel inputs and <paramref name="classes"/> classes, its
    /// initial weights drawn from a generator seeded with <paramref name="seed"/> (the zoo's default seed is 0).
    /// </summary>
    public static Sequential Create(int inChannels = 3, int classes = 10, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var random = new CortexRandom(seed);
        var model = new Sequential("resnet18_32")
            .Add("conv1", new Conv2d(inChannels, Planes[0], 3, stride: 1, padding: 1, bias: false, random: random))
            .Add("bn1", new BatchNorm2d(Planes[0]))
            .Add("relu", new ReLU());
        int inPlanes = Planes[0];
        for (int stage = 0; stage < Planes.Count; stage++)
        {
            int planes = Planes[stage];
            var layer = new Sequential("layer");
            for (int block = 0; block < BlocksPerStage; block++)
            {
                int stride = block == 0 && stage > 0 ? 2 : 1;
                Layer? downsample = stride != 1 || inPlanes != planes
                    ? BasicBlock.Projection(inPlanes, planes, stride, random)
                    : null;
                layer.Add(new BasicBlock(inPlanes, planes, stride, downsample, random: random));
                inPlanes = planes;
            }
            model.Add($"layer{stage + 1}", layer);
        }
        return model
            .Add("avgpool", new GlobalAvgPool2d())
            .Add("flatten", new Flatten())
            .Add("fc", new Dense(inPlanes, classes, random: random));
    }
}
