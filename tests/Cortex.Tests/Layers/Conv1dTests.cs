// Conv1dTests.cs — the Conv1d layer: the lectures' zero vs copy padding example, gradients,
// "same" padding, groups, errors and allocation.
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

public sealed class Conv1dTests
{
    [Theory]
    [InlineData(PaddingMode.Zero, new[] { 1.8f, 2.9f, 3.7f, 3.5f, 7.9f, 8.9f, 7.4f, 1.4f })]
    [InlineData(PaddingMode.Replicate, new[] { 2.7f, 2.9f, 3.7f, 3.5f, 7.9f, 8.9f, 7.4f, 2.0f })]
    public void Conv1d_LectureExample_ZeroVersusCopyPadding(PaddingMode mode, float[] expected)
    {
        var conv = new Conv1d(1, 1, 3, padding: 1, paddingMode: mode, bias: false);
        new float[] { 0.3f, 0.4f, 0.3f }.CopyTo(conv.Weight.Value.Span);
        var signal = Tensor.FromArray([3, 2, 4, 5, 1, 20, 2, 2], new Shape(1, 1, 8));
        var y = conv.Forward(signal, training: false);
        Assert.Equal(new Shape(1, 1, 8), y.Shape);
        Conv2dTests.AssertClose(expected, y.Span, 1e-5);
    }

    [Theory]
    [InlineData(1, 0, 1, 1, 11)]
    [InlineData(2, 1, 1, 3, 6)]
    [InlineData(3, 2, 2, 1, 5)]
    public void Conv1d_Gradients_MatchCentralDifferences(int stride, int padding, int dilation, int groups, int length)
    {
        var random = new CortexRandom((ulong)(stride * 10 + padding));
        var mode = padding % 2 == 0 ? PaddingMode.Zero : PaddingMode.Replicate;
        var conv = new Conv1d(3, 6, 3, stride: stride, padding: padding, paddingMode: mode, dilation: dilation, groups: groups, random: random);
        random.FillNormal(conv.Bias!.Value.Span);
        LayerTesting.AssertGradients(conv, Tensor.RandomNormal(new Shape(2, 3, length), random), tolerance: 5e-3);
    }

    [Fact]
    public void Conv1d_SamePadding_KeepsTheLength()
    {
        var conv = new Conv1d(2, 4, 4, padding: "same");
        Assert.Equal(new Shape(3, 4, 9), conv.OutputShape(new Shape(3, 2, 9)));
        Assert.Equal(new Shape(3, 4, 5), new Conv1d(2, 4, 3, stride: 2, padding: "same").OutputShape(new Shape(3, 2, 9)));
        Assert.Equal(new Shape(3, 4, 7), new Conv1d(2, 4, 3).OutputShape(new Shape(3, 2, 9)));
    }

    [Fact]
    public void Conv1d_Errors_NameTheLayerAndShapes()
    {
        var conv = new Conv1d(4, 8, 5, name: "encoder");
        var e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(2, 3, 20), true));
        Assert.StartsWith("encoder (Conv1d 8@5): expects 4 input channels, got 3 (input [2, 3, 20]).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => conv.Forward(new Tensor(2, 4, 5, 5), true));
        Assert.StartsWith("encoder (Conv1d 8@5): expects input [N, 4, L] (rank 3), got [2, 4, 5, 5] (rank 4).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => conv.OutputShape(new Shape(2, 4, 3)));
        Assert.StartsWith("encoder (Conv1d 8@5): expects a signal of length at least 5 after padding, got 3 padded to 3 (input [2, 4, 3]).", e.Message, StringComparison.Ordinal);
        Assert.Equal(new Shape(8, 4, 5), conv.Weight.Shape);
    }

    [Fact]
    public void Conv1d_SecondStepOfTheSameShape_AllocatesNothing()
    {
        var random = new CortexRandom(2);
        var conv = new Conv1d(2, 4, 3, padding: 1, groups: 2, random: random);
        var x = Tensor.RandomNormal(new Shape(2, 2, 16), random);
        AllocationAssert.NoneOnSecondStep(conv, x, Tensor.RandomNormal(conv.OutputShape(x.Shape), random));
    }
}
