using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class FlattenTests
{
    [Fact]
    public void Forward_IsAViewOfTheSameStorage()
    {
        var flatten = new Flatten();
        var x = Random(1, 2, 3, 4, 5);
        var y = flatten.Forward(x, training: true);
        Assert.Equal(new Shape(2, 60), y.Shape);
        x.Span[7] = 42f;
        Assert.Equal(42f, y.Span[7]);
        Assert.Same(y, flatten.Forward(x, training: true));   // cached view: no allocation per batch
    }

    [Fact]
    public void Backward_RestoresTheInputShape()
    {
        var flatten = new Flatten();
        flatten.Forward(new Tensor(2, 3, 4), training: true);
        Assert.Equal(new Shape(2, 3, 4), flatten.Backward(Random(2, 2, 12)).Shape);
    }

    [Fact]
    public void Gradients_MatchCentralDifferences() => AssertGradients(new Flatten(), Random(3, 3, 2, 3, 1));

    [Fact]
    public void RankOne_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Flatten().OutputShape(new Shape(5)));
        AssertContainsAll(e.Message, "flatten (Flatten)", "[5]");
    }

    [Fact]
    public void BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new Flatten().Backward(new Tensor(2, 3)));
}
