// State-dict keys follow torchvision's attribute paths; options are checked; the ResNet blocks'
// Backward passes a gradient check on tiny blocks.
using Cortex.Diagnostics;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

public sealed class ZooLayoutTests
{
    private static HashSet<string> Keys(Layer model) => model.NamedParameters().Select(p => p.Key).Concat(model.NamedBuffers().Select(b => b.Key)).ToHashSet();

    [Fact]
    public void ResNet18_KeysAreTorchvisions()
    {
        var keys = Keys(ModelZoo.Create("resnet18", input: new Shape(3, 64, 64)));
        foreach (string key in (string[])["conv1.weight", "bn1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
            "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.conv2.weight", "fc.weight", "fc.bias"])
            Assert.Contains(key, keys);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", keys);   // no projection where the shape stays
        Assert.DoesNotContain("conv1.bias", keys);
    }

    [Fact]
    public void ResNet50_KeysAreTorchvisions()
    {
        var keys = Keys(ModelZoo.Create("resnet50", input: new Shape(3, 64, 64)));
        foreach (string key in (string[])["layer1.0.conv3.weight", "layer1.0.downsample.0.weight", "layer3.5.bn3.weight", "layer4.2.conv2.weight"])
            Assert.Contains(key, keys);
    }

    [Fact]
    public void Vgg16_AndGoogLeNet_KeysAreTorchvisions()
    {
        var vgg = Keys(ModelZoo.Create("vgg16", input: new Shape(3, 32, 32)));
        Assert.Contains("features.0.weight", vgg);
        Assert.Contains("features.28.bias", vgg);
        Assert.Contains("classifier.6.weight", vgg);
        var googlenet = Keys(ModelZoo.Create("googlenet", input: new Shape(3, 96, 96), options: new Dictionary<string, string> { ["aux_logits"] = "true" }));
        foreach (string key in (string[])["conv1.conv.weight", "conv3.conv.weight", "inception3a.branch1.conv.weight", "inception3a.branch2.1.conv.weight",
            "inception5b.branch4.1.conv.weight", "aux1.conv.conv.weight", "aux2.fc2.bias", "fc.weight"])
            Assert.Contains(key, googlenet);
    }

    [Fact]
    public void ResNet_StrideOn_MovesTheStride()
    {
        var paper = (Bottleneck)((Sequential)((Sequential)ModelZoo.Create("resnet50", input: new Shape(3, 64, 64)))["layer2"])[0];
        var v15 = (Bottleneck)((Sequential)((Sequential)ModelZoo.Create("resnet50", input: new Shape(3, 64, 64), options: new Dictionary<string, string> { ["stride_on"] = "3x3" }))["layer2"])[0];
        Assert.Equal((2, 1), (paper.Conv1.StrideHeight, paper.Conv2.StrideHeight));
        Assert.Equal((1, 2), (v15.Conv1.StrideHeight, v15.Conv2.StrideHeight));
    }

    [Fact]
    public void BadOptions_AreRefusedWithTheChoices()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet50", options: new Dictionary<string, string> { ["stride_on"] = "2x2" }));
        Assert.Contains("1x1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("alexnet", options: new Dictionary<string, string> { ["groups"] = "3" }));
        Assert.Contains("1 or 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet20", options: new Dictionary<string, string> { ["shortcut"] = "C" }));
        Assert.Contains("A (zero-padding identity) or B (projection)", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Blocks => ["basic", "basic-projection", "basic-plain", "bottleneck-1x1", "bottleneck-3x3", "basic-option-a"];

    // The block and the same network composed from Residual and Sequential (each gradient-checked in
    // Cortex.Tests), with the same weights, in training mode: outputs, dL/dx and every dL/dθ agree.
    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_MatchesTheResidualComposition(string kind) => AssertMatchesComposition(kind, new Shape(2, 4, 5, 5));

    // A batch of 2·4·96·96 = 73,728 values: the sum, its ReLU and the gradients' sum are split across threads.
    [Fact]
    public void Block_OnALargeBatch_MatchesTheResidualComposition() => AssertMatchesComposition("basic", new Shape(2, 4, 96, 96));

    private static void AssertMatchesComposition(string kind, Shape input)
    {
        var (block, reference) = Pair(kind);
        var blockParameters = block.AllParameters().ToList();
        var referenceParameters = reference.AllParameters().ToList();
        Assert.Equal(blockParameters.Select(p => p.Shape), referenceParameters.Select(p => p.Shape));
        foreach (var (a, b) in blockParameters.Zip(referenceParameters))
            b.Value.CopyFrom(a.Value);

        var x = Tensor.RandomNormal(input, new CortexRandom(12));
        var y = block.Forward(x, true).ToArray();
        AssertClose(y, reference.Forward(x, true).ToArray(), "output");
        var dy = Tensor.RandomNormal(block.OutputShape(x.Shape), new CortexRandom(13));
        block.ZeroGradients();
        reference.ZeroGradients();
        AssertClose(block.Backward(dy).ToArray(), reference.Backward(dy).ToArray(), "dx");
        foreach (var ((key, a), b) in block.NamedParameters().Zip(referenceParameters))
            AssertClose(a.Gradient.ToArray(), b.Gradient.ToArray(), key);
    }

    // A central-difference check of the block itself, kink-free: with positive inputs and weights and batch
    // norm in inference mode (running mean 0, variance 1) every ReLU stays on its linear piece. In training
    // mode, conv–BN–ReLU stacks fail any h = 3e-3 check now and then because some unit straddles its ReLU's
    // kink (an equivalent Sequential fails identically), which is why the comparison above carries that mode.
    [Theory]
    [MemberData(nameof(Blocks))]
    public void Block_PassesTheGradientCheckAwayFromKinks(string kind)
    {
        var (block, _) = Pair(kind);
        var random = new CortexRandom(21);
        foreach (var p in block.AllParameters().Where(p => p.Shape.Rank == 4))
        {
            var w = p.Value.Span;
            for (int i = 0; i < w.Length; i++)
                w[i] = random.Uniform(0.05f, 0.15f);
        }
        var x = Tensor.RandomUniform(new Shape(2, 4, 5, 5), new CortexRandom(12), 0.5f, 1.5f);
        var report = GradientCheck.Check(block, x, new GradientCheckOptions { Training = false });
        Assert.True(report.Passed(1e-2), $"{kind}:\n{report}");
    }

    private static (Layer Block, Layer Reference) Pair(string kind)
    {
        var r = new CortexRandom(11);
        Sequential Basic(int inC, int outC, int stride) => new(
            new Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false, random: r), new BatchNorm2d(outC), new ReLU(),
            new Conv2d(outC, outC, 3, padding: 1, bias: false, random: r), new BatchNorm2d(outC));
        Sequential Neck(int inC, int planes, int s1, int s2) => new(
            new Conv2d(inC, planes, 1, stride: s1, bias: false, random: r), new BatchNorm2d(planes), new ReLU(),
            new Conv2d(planes, planes, 3, stride: s2, padding: 1, bias: false, random: r), new BatchNorm2d(planes), new ReLU(),
            new Conv2d(planes, planes * 4, 1, bias: false, random: r), new BatchNorm2d(planes * 4));
        return kind switch
        {
            "basic" => (new BasicBlock(4, 4, random: r), new Residual(Basic(4, 4, 1), activation: new ReLU())),
            "basic-projection" => (new BasicBlock(4, 6, stride: 2, downsample: BasicBlock.Projection(4, 6, 2, r), random: r),
                new Residual(Basic(4, 6, 2), BasicBlock.Projection(4, 6, 2, r), new ReLU())),
            "basic-plain" => (new BasicBlock(4, 6, stride: 2, residual: false, random: r), new Sequential(Basic(4, 6, 2), new ReLU())),
            "bottleneck-1x1" => (new Bottleneck(4, 2, stride: 2, downsample: BasicBlock.Projection(4, 8, 2, r), random: r),
                new Residual(Neck(4, 2, 2, 1), BasicBlock.Projection(4, 8, 2, r), new ReLU())),
            "bottleneck-3x3" => (new Bottleneck(4, 2, stride: 2, downsample: BasicBlock.Projection(4, 8, 2, r), strideOn: BottleneckStride.ThreeByThree, random: r),
                new Residual(Neck(4, 2, 1, 2), BasicBlock.Projection(4, 8, 2, r), new ReLU())),
            _ => (new BasicBlock(4, 8, stride: 2, downsample: new PadShortcut(4, 8, 2), random: r),
                new Residual(Basic(4, 8, 2), new PadShortcut(4, 8, 2), new ReLU())),
        };
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void PadShortcut_SubsamplesAndPadsChannelsOnBothSides()
    {
        var x = Tensor.FromArray([.. Enumerable.Range(0, 16).Select(i => (float)i)], new Shape(1, 1, 4, 4));
        var y = new PadShortcut(1, 3, 2).Forward(x, false);
        Assert.Equal(new Shape(1, 3, 2, 2), y.Shape);
        Assert.Equal([0, 0, 0, 0, 0, 2, 8, 10, 0, 0, 0, 0], y.ToArray());
    }

    [Fact]
    public void Block_WithMismatchedShortcut_SaysSo()
    {
        var block = new BasicBlock(4, 8, stride: 2);
        var e = Assert.Throws<ArgumentException>(() => block.OutputShape(new Shape(1, 4, 8, 8)));
        Assert.Contains("give it a downsample projection", e.Message, StringComparison.Ordinal);
    }
}
