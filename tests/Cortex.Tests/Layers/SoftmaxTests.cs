using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class SoftmaxTests
{
    [Fact]
    public void Forward_RowsSumToOne_KnownValues()
    {
        var y = new Softmax().Forward(Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 0, 0, 0 } }), training: false);
        Assert.Equal(0.09003057f, y[0, 0], 6);
        Assert.Equal(0.24472847f, y[0, 1], 6);
        Assert.Equal(0.66524096f, y[0, 2], 6);
        Assert.Equal(1f / 3, y[1, 1], 6);
    }

    [Fact]
    public void Forward_IsStableForLargeScores()
    {
        var y = new Softmax().Forward(Tensor.FromArray(new float[,] { { 1000, 1001, -1000 } }), training: false);
        Assert.All(y.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0.7310586f, y[0, 1], 6);
        Assert.Equal(0f, y[0, 2]);
    }

    [Fact]
    public void Forward_OnImages_RunsAlongChannels()
    {
        var y = new Softmax().Forward(Random(1, 2, 3, 2, 2), training: false);
        for (int n = 0; n < 2; n++)
        {
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < 2; j++)
                    Assert.Equal(1f, y[n, 0, i, j] + y[n, 1, i, j] + y[n, 2, i, j], 5);
            }
        }
    }

    [Fact]
    public void Gradients_MatchCentralDifferences()
    {
        AssertGradients(new Softmax(), Random(2, 3, 5));
        AssertGradients(new Softmax(), Random(3, 2, 3, 2, 3));
        AssertGradients(new Softmax(), Random(4, 1, 1));
    }

    [Fact]
    public void BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new Softmax().Backward(new Tensor(2, 3)));

    [Fact]
    public void RankOne_Throws() => Assert.Throws<ArgumentException>(() => new Softmax().Forward(new Tensor(3), false));
}
