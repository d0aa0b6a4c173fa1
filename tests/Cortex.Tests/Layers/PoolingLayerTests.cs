// PoolingLayerTests.cs — MaxPool2d, AvgPool2d and GlobalAvgPool2d: the lectures' example through
// the layer, gradients by central differences (inputs spaced away from ties), output sizes,
// errors and allocation.
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex.Tests.Layers;

public sealed class PoolingLayerTests
{
    [Fact]
    public void MaxPool2d_LectureExample_GivesMaximaAndRoutesGradient()
    {
        var pool = new MaxPool2d(2);
        var x = Tensor.FromArray(new float[,] { { 1, 1, 2, 4 }, { 5, 6, 7, 8 }, { 3, 2, 1, 0 }, { 1, 2, 3, 4 } }).Reshape(1, 1, 4, 4);
        var y = pool.Forward(x, training: true);
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        Assert.Equal([6f, 8f, 3f, 4f], y.ToArray());
        var dx = pool.Backward(Tensor.FromArray([1, 2, 3, 4], new Shape(1, 1, 2, 2)));
        Assert.Equal([0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 0, 0, 0, 0, 0, 4f], dx.ToArray());
    }

    public static TheoryData<string, Func<Layer>, int[]> GradientCases => new()
    {
        { "max 2×2", () => new MaxPool2d(2), [2, 3, 6, 4] },
        { "max 3×3 stride 2 (overlapping), odd sizes", () => new MaxPool2d(3, stride: 2), [2, 2, 7, 9] },
        { "max padded, dilated", () => new MaxPool2d((3, 2), stride: (2, 1), padding: (1, 1), dilation: (2, 1)), [1, 2, 7, 5] },
        { "avg 2×2", () => new AvgPool2d(2), [2, 3, 5, 7] },
        { "avg 3×3 stride 2 pad 1, include pad", () => new AvgPool2d(3, stride: 2, padding: 1), [2, 2, 7, 6] },
        { "avg 3×3 stride 1 pad 1, exclude pad", () => new AvgPool2d(3, stride: 1, padding: 1, countIncludePad: false), [1, 2, 5, 5] },
        { "global average", () => new GlobalAvgPool2d(), [2, 3, 5, 3] },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Pooling_Gradients_MatchCentralDifferences(string description, Func<Layer> make, int[] inputShape)
    {
        Assert.NotEmpty(description);
        var x = LayerTesting.Distinct(9, 0.05f, inputShape);
        LayerTesting.AssertGradients(make(), x, tolerance: 5e-3);
    }

    [Fact]
    public void Pooling_OutputShapes()
    {
        Assert.Equal(new Shape(8, 96, 27, 27), new MaxPool2d(3, stride: 2).OutputShape(new Shape(8, 96, 55, 55)));   // AlexNet
        Assert.Equal(new Shape(8, 64, 56, 56), new MaxPool2d(3, stride: 2, padding: 1).OutputShape(new Shape(8, 64, 112, 112)));   // ResNet
        Assert.Equal(new Shape(8, 6, 14, 14), new AvgPool2d(2).OutputShape(new Shape(8, 6, 28, 28)));   // LeNet S2
        Assert.Equal(new Shape(8, 512, 1, 1), new GlobalAvgPool2d().OutputShape(new Shape(8, 512, 7, 7)));
    }

    [Fact]
    public void AvgPool2d_CountIncludePad_ChangesTheBorder()
    {
        var x = Tensor.Ones(new Shape(1, 1, 3, 3));
        var include = new AvgPool2d(3, stride: 1, padding: 1).Forward(x, false).ToArray();
        var exclude = new AvgPool2d(3, stride: 1, padding: 1, countIncludePad: false).Forward(x, false).ToArray();
        Assert.Equal(4f / 9f, include[0], 6);
        Assert.All(exclude, v => Assert.Equal(1f, v, 6));
    }

    [Fact]
    public void GlobalAvgPool2d_IsThePlaneMean()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 10, 20, 30, 40], new Shape(1, 2, 2, 2));
        Assert.Equal([2.5f, 25f], new GlobalAvgPool2d().Forward(x, false).ToArray());
    }

    [Fact]
    public void Pooling_Errors_NameTheLayerAndShapes()
    {
        var pool = new MaxPool2d(3, stride: 2, name: "pool5");
        var e = Assert.Throws<ArgumentException>(() => pool.Forward(new Tensor(1, 256, 2, 2), true));
        Assert.StartsWith("pool5 (MaxPool2d 3×3): expects an input of at least 3×3 after padding, got 2×2 padded to 2×2 (input [1, 256, 2, 2]).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new AvgPool2d(2, name: "s2").OutputShape(new Shape(6, 28, 28)));
        Assert.StartsWith("s2 (AvgPool2d 2×2): expects input [N, C, H, W] (rank 4), got [6, 28, 28] (rank 3).", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new GlobalAvgPool2d("gap").Forward(new Tensor(2, 512), true));
        Assert.StartsWith("gap (GlobalAvgPool2d): expects input [N, C, H, W] (rank 4), got [2, 512] (rank 2).", e.Message, StringComparison.Ordinal);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPool2d(2, padding: 2));
        Assert.StartsWith("MaxPool2d: expected padding at most half the kernel (2×2 → at most 1×1), got 2×2.", range.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new AvgPool2d(2).Backward(new Tensor(1, 1, 1, 1)));
    }

    [Fact]
    public void Pooling_SecondStepOfTheSameShape_AllocatesNothing()
    {
        var random = new CortexRandom(4);
        var x = Tensor.RandomNormal(new Shape(2, 3, 8, 8), random);
        foreach (Layer layer in new Layer[] { new MaxPool2d(2), new AvgPool2d(3, stride: 2, padding: 1), new GlobalAvgPool2d() })
            AllocationAssert.NoneOnSecondStep(layer, x, Tensor.RandomNormal(layer.OutputShape(x.Shape), random));
    }
}
