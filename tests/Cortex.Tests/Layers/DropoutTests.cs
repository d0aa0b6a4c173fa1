using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Inference_IsIdentity_WithoutCopy()
    {
        var drop = new Dropout(0.5, seed: 1);
        var x = Random(1, 3, 4);
        Assert.Same(x, drop.Forward(x, training: false));
        var dy = Random(2, 3, 4);
        Assert.Same(dy, drop.Backward(dy));
    }

    [Fact]
    public void Training_DropsAboutP_AndScalesTheRestByOneOverOneMinusP()
    {
        var drop = new Dropout(0.3, seed: 7);
        var x = Tensor.Ones(new Shape(100, 100));
        var y = drop.Forward(x, training: true).ToArray();
        int zeros = y.Count(v => v == 0f);
        Assert.InRange(zeros, 2800, 3200);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / 0.7f, v, 6));
        Assert.Equal(1.0, y.Average(), 1);   // inverted dropout keeps the expectation
    }

    [Fact]
    public void Backward_UsesTheForwardMask()
    {
        var drop = new Dropout(0.5, seed: 3);
        var y = drop.Forward(Tensor.Ones(new Shape(4, 8)), training: true).ToArray();
        var dx = drop.Backward(Tensor.Full(new Shape(4, 8), 3f)).ToArray();
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(y[i] * 3f, dx[i], 6);
    }

    [Fact]
    public void SameSeed_SameMasks_NewDrawEachBatch()
    {
        var x = Tensor.Ones(new Shape(2, 50));
        var a = new Dropout(0.5, seed: 11);
        var b = new Dropout(0.5, new CortexRandom(11));
        var first = a.Forward(x, true).ToArray();
        Assert.Equal(first, b.Forward(x, true).ToArray());
        Assert.NotEqual(first, a.Forward(x, true).ToArray());
    }

    [Fact]
    public void FreezeRandomness_RepeatsTheLastMask()
    {
        var drop = new Dropout(0.5, seed: 5);
        var x = Tensor.Ones(new Shape(3, 20));
        var first = drop.Forward(x, true).ToArray();
        drop.FreezeRandomness = true;
        Assert.Equal(first, drop.Forward(x, true).ToArray());
    }

    [Fact]
    public void Gradients_MatchCentralDifferences_MaskHeldFixed()
    {
        AssertGradients(new Dropout(0.4, seed: 2), Random(3, 3, 2, 5));
        AssertGradients(new Dropout2d(0.5, new CortexRandom(4)), Random(5, 3, 4, 2, 2));
        AssertGradients(new Dropout(0.4, seed: 2), Random(3, 2, 7), options: new Cortex.Diagnostics.GradientCheckOptions { Training = false });
    }

    [Fact]
    public void ExtremeProbabilities()
    {
        var x = Random(1, 4, 5);
        Assert.Same(x, new Dropout(0, seed: 1).Forward(x, training: true));
        Assert.All(new Dropout(1, seed: 1).Forward(x, training: true).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(double.NaN));
    }

    [Fact]
    public void Dropout2d_DropsWholeChannels()
    {
        var drop = new Dropout2d(0.5, new CortexRandom(9));
        var y = drop.Forward(Tensor.Ones(new Shape(4, 6, 3, 3)), training: true);
        int dropped = 0;
        for (int n = 0; n < 4; n++)
        {
            for (int c = 0; c < 6; c++)
            {
                float first = y[n, c, 0, 0];
                Assert.True(first == 0f || first == 2f);
                dropped += first == 0f ? 1 : 0;
                for (int i = 0; i < 3; i++)
                {
                    for (int j = 0; j < 3; j++)
                        Assert.Equal(first, y[n, c, i, j]);
                }
            }
        }
        Assert.InRange(dropped, 4, 20);
    }

    [Fact]
    public void BackwardBeforeForward_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Dropout(0.5).Backward(new Tensor(2, 3)));
        Assert.Throws<InvalidOperationException>(() => new Dropout2d(0.5).Backward(new Tensor(2, 3)));
    }
}
