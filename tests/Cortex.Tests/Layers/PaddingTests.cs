using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class PaddingTests
{
    private static readonly Tensor Image = Tensor.FromArray([1, 2, 3, 4, 5, 6], new Shape(1, 1, 2, 3));

    [Fact]
    public void ZeroPad_SurroundsWithZeros()
    {
        var y = new ZeroPad2d(left: 1, right: 0, top: 0, bottom: 1).Forward(Image, training: false);
        Assert.Equal(new Shape(1, 1, 3, 4), y.Shape);
        Assert.Equal([0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0], y.ToArray());
    }

    [Fact]
    public void ReplicationPad_RepeatsEdges()
    {
        var y = new ReplicationPad2d(left: 2, right: 1, top: 1, bottom: 0).Forward(Image, training: false);
        Assert.Equal(new Shape(1, 1, 3, 6), y.Shape);
        Assert.Equal([1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6], y.ToArray());
    }

    [Fact]
    public void ReplicationPad_Backward_SumsGradientsOfCopiesIntoTheEdge()
    {
        var pad = new ReplicationPad2d(1);
        pad.Forward(Image, training: true);
        var dx = pad.Backward(Tensor.Ones(new Shape(1, 1, 4, 5)));
        // corners were copied into a 2×2 block (4), edge-middles into 2 cells, the rest once
        Assert.Equal([4, 2, 4, 4, 2, 4], dx.ToArray());
        Assert.Equal(20f, dx.Sum());
    }

    [Fact]
    public void Gradients_MatchCentralDifferences()
    {
        AssertGradients(new ZeroPad2d(1, 2, 0, 3), Random(1, 2, 3, 3, 2));
        AssertGradients(new ReplicationPad2d(2, 1, 3, 1), Random(2, 2, 2, 3, 2));
        AssertGradients(new ReplicationPad2d(2), Random(3, 1, 1, 1, 1));
    }

    [Fact]
    public void OutputShape_AddsThePadding()
    {
        Assert.Equal(new Shape(8, 1, 32, 32), new ZeroPad2d(2).OutputShape(new Shape(8, 1, 28, 28)));
        Assert.Equal(new Shape(8, 3, 7, 12), new ReplicationPad2d(1, 2, 3, 0).OutputShape(new Shape(8, 3, 4, 9)));
    }

    [Fact]
    public void BadInputs_Throw()
    {
        var e = Assert.Throws<ArgumentException>(() => new ZeroPad2d(1).Forward(new Tensor(2, 5), training: false));
        AssertContainsAll(e.Message, "pad (ZeroPad2d)", "[N, C, H, W]", "[2, 5]");
        Assert.Throws<ArgumentException>(() => new ReplicationPad2d(1).OutputShape(new Shape(1, 1, 0, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPad2d(-1));
        Assert.Throws<InvalidOperationException>(() => new ZeroPad2d(1).Backward(new Tensor(1, 1, 3, 3)));
    }
}
