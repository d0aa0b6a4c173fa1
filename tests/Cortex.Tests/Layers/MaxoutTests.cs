using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class MaxoutTests
{
    [Fact]
    public void Forward_TakesMaxOfConsecutiveGroups_AndRoutesGradientToTheWinner()
    {
        var maxout = new Maxout(2);
        var y = maxout.Forward(Tensor.FromArray(new float[,] { { 1, 5, -2, -3 }, { 7, 0, 4, 9 } }), training: true);
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([5f, -2f, 7f, 9f], y.ToArray());

        var dx = maxout.Backward(Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } }));
        Assert.Equal([0f, 1f, 2f, 0f, 3f, 0f, 0f, 4f], dx.ToArray());
    }

    [Fact]
    public void Forward_OnImages_GroupsChannels()
    {
        var x = Random(1, 2, 6, 2, 3);
        var y = new Maxout(3).Forward(x, training: false);
        Assert.Equal(new Shape(2, 2, 2, 3), y.Shape);
        Assert.Equal(Math.Max(x[1, 3, 1, 2], Math.Max(x[1, 4, 1, 2], x[1, 5, 1, 2])), y[1, 1, 1, 2]);
    }

    [Fact]
    public void Gradients_MatchCentralDifferences()
    {
        AssertGradients(new Maxout(3), Distinct(2, 0.1f, 3, 9));
        AssertGradients(new Maxout(2), Distinct(3, 0.1f, 2, 4, 3, 3));
        AssertGradients(new Maxout(1), Random(4, 2, 3));
    }

    [Fact]
    public void ChannelsNotAMultiple_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Maxout(4).OutputShape(new Shape(8, 10)));
        AssertContainsAll(e.Message, "maxout (Maxout)", "[8, 10]", "multiple of 4");
    }

    [Fact]
    public void BackwardBeforeForward_Throws() => Assert.Throws<InvalidOperationException>(() => new Maxout(2).Backward(new Tensor(1, 1)));
}
