// NetworkDefinitionTests.cs — the Cortex halves of the bench's ResNet comparisons, checked without
// libtorch: the ResNet-18 at 32×32 the bench builds itself, and the facts about the zoo's ResNet-20 and
// ResNet-50 that the TorchSharp definitions (Suites/TorchResNets.cs) mirror. If a zoo default
// changes (shortcut type, where a Bottleneck strides), these fail here, before the bench's own
// architecture check does.
using Cortex.Bench.Suites;
using Cortex.Layers;
using Cortex.Models;
using Cortex.Tensors;

namespace Cortex.Bench.Tests;

public sealed class NetworkDefinitionTests
{
    // conv1 1,728 + bn 128; layer1 147,456 + 512; layer2 516,096 + 1,024 + projection 8,192 + 256;
    // layer3 2,064,384 + 2,048 + 32,768 + 512; layer4 8,257,536 + 4,096 + 131,072 + 1,024; fc 5,130.
    private const long ResNet18At32Parameters = 11_173_962;

    [Fact]
    public void ResNet18At32_HasTheCifarAdaptationsParameterCount()
    {
        var model = CortexResNet18At32.Create();

        Assert.Equal(ResNet18At32Parameters, ParameterLayout.Total(ParameterLayout.Of(model)));
    }

    [Fact]
    public void ResNet18At32_KeepsTheFull32x32InTheStem_AndEndsAt4x4()
    {
        var model = CortexResNet18At32.Create();
        var input = new Shape(2, 3, 32, 32);

        var afterStem = model["relu"].OutputShape(model["bn1"].OutputShape(model["conv1"].OutputShape(input)));
        var afterLayer4 = model["layer4"].OutputShape(model["layer3"].OutputShape(model["layer2"].OutputShape(model["layer1"].OutputShape(afterStem))));

        Assert.Equal(new Shape(2, 64, 32, 32), afterStem);
        Assert.Equal(new Shape(2, 512, 4, 4), afterLayer4);
        Assert.Equal(new Shape(2, 10), model.OutputShape(input));
        Assert.DoesNotContain(model.Descendants(), layer => layer is MaxPool2d);
    }

    [Fact]
    public void ResNet18At32_ProjectsOnlyWhereAStageChangesTheShape()
    {
        string[] keys = [.. ParameterLayout.Of(CortexResNet18At32.Create()).Select(e => e.Key)];

        string[] projections = [.. keys.Where(k => k.Contains("downsample", StringComparison.Ordinal) && k.EndsWith(".0.weight", StringComparison.Ordinal))];
        Assert.Equal(["layer2.0.downsample.0.weight", "layer3.0.downsample.0.weight", "layer4.0.downsample.0.weight"], projections);
        Assert.DoesNotContain(keys, k => k.StartsWith("conv1.bias", StringComparison.Ordinal));
    }

    [Fact]
    public void ZooResNet20_UsesParameterFreeOptionAShortcuts()
    {
        var model = ModelZoo.Create("resnet20");
        var layout = ParameterLayout.Of(model);

        Assert.Equal(269_722, ParameterLayout.Total(layout));
        Assert.DoesNotContain(layout, e => e.Key.Contains("downsample", StringComparison.Ordinal));
        Assert.Equal(2, model.Descendants().Count(layer => layer is PadShortcut));
    }

    [Fact]
    public void ZooResNet50_StridesOnTheFirst1x1_WithProjectionShortcuts()
    {
        var model = ModelZoo.Create("resnet50");
        var blocks = model.Descendants().OfType<Bottleneck>().ToList();

        Assert.Equal(25_557_032, ParameterLayout.Total(ParameterLayout.Of(model)));
        Assert.Equal(16, blocks.Count);
        Assert.All(blocks, b => Assert.Equal(BottleneckStride.OneByOne, b.StrideOn));
        Assert.Equal(4, blocks.Count(b => b.Downsample is Sequential));
        Assert.Equal(new Shape(1, 1000), model.OutputShape(new Shape(1, 3, 224, 224)));
    }
}
