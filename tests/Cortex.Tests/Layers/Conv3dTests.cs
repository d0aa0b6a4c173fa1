// Conv3dTests.cs — the Conv3d layer: against the direct 3-D definition, gradients by central
// differences, output shapes, errors and allocation.
using Cortex.Kernels;
using Cortex.Kernels.Reference;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

public sealed class Conv3dTests
{
    [Fact]
    public void Conv3d_MatchesReferenceConvolution()
    {
        var random = new CortexRandom(1);
        var conv = new Conv3d(2, 3, (2, 3, 2), stride: (1, 2, 1), padding: (1, 1, 0), paddingMode: PaddingMode.Replicate, random: random);
        random.FillNormal(conv.Bias!.Value.Span);
        var x = Tensor.RandomNormal(new Shape(2, 2, 3, 5, 4), random);
        var y = conv.Forward(x, training: false);
        var g = new Conv3dGeometry(2, 3, 5, 4, 2, 3, 2, 1, 2, 1, 1, 1, 0, paddingMode: PaddingMode.Replicate);
        Assert.Equal(new Shape(2, 3, g.OutputDepth, g.OutputHeight, g.OutputWidth), y.Shape);
        var expected = new float[y.Size];
        Convolution3dReference.Forward(g, 2, 3, x.Span, conv.Weight.Value.Span, conv.Bias.Value.Span, expected);
        Conv2dTests.AssertClose(expected, y.Span, 1e-5);
    }

    [Theory]
    [InlineData(1, 0, 1, PaddingMode.Zero)]
    [InlineData(2, 1, 1, PaddingMode.Zero)]
    [InlineData(1, 1, 2, PaddingMode.Replicate)]
    public void Conv3d_Gradients_MatchCentralDifferences(int stride, int padding, int dilation, PaddingMode mode)
    {
        var random = new CortexRandom((ulong)(stride * 100 + padding * 10 + dilation));
        var conv = new Conv3d(2, 2, 2, stride: stride, padding: padding, paddingMode: mode, dilation: dilation, random: random);
        random.FillNormal(conv.Bias!.Value.Span);
        LayerTesting.AssertGradients(conv, Tensor.RandomNormal(new Shape(2, 2, 3, 4, 5), random), tolerance: 5e-3);
    }

    [Fact]
    public void Conv3d_OutputShape_ForAVideoClip()
    {
        var conv = new Conv3d(3, 64, 3, padding: 1);
        Assert.Equal(new Shape(2, 64, 16, 112, 112), conv.OutputShape(new Shape(2, 3, 16, 112, 112)));
        Assert.Equal(new Shape(64, 3, 3, 3, 3), conv.Weight.Shape);
        Assert.Equal(new Shape(1, 8, 4, 4, 4), new Conv3d(1, 8, 2, stride: 2).OutputShape(new Shape(1, 1, 8, 8, 9)));
    }

    [Fact]
    public void Conv3d_Errors_NameTheLayerAndShapes()
    {
        var conv = new Conv3d(3, 8, 3, name: "stem");
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(1, 3, 8, 8), true));
        Assert.StartsWith("stem (Conv3d 8@3×3×3): expects input [N, 3, D, H, W] (rank 5), got [1, 3, 8, 8] (rank 4).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(1, 1, 4, 4, 4), true));
        Assert.StartsWith("stem (Conv3d 8@3×3×3): expects 3 input channels, got 1 (input [1, 1, 4, 4, 4]).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => conv.OutputShape(new Shape(1, 3, 2, 8, 8)));
        Assert.StartsWith("stem (Conv3d 8@3×3×3): expects an input of at least 3×3×3 after padding, got 2×8×8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv3d_SecondStepOfTheSameShape_AllocatesNothing()
    {
        var random = new CortexRandom(3);
        var conv = new Conv3d(2, 2, 3, padding: 1, random: random);
        var x = Tensor.RandomNormal(new Shape(1, 2, 3, 4, 4), random);
        AllocationAssert.NoneOnSecondStep(conv, x, Tensor.RandomNormal(conv.OutputShape(x.Shape), random));
    }
}
