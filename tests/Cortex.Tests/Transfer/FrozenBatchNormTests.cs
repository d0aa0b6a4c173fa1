using Cortex.Layers;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Transfer;

public class FrozenBatchNormTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FrozenBatchNorm_InTrainingMode_UsesAndKeepsItsRunningStatistics(bool relu)
    {
        var bn = Trained();
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVar.ToArray();
        float tracked = bn.NumBatchesTracked.Span[0];
        bn.SetTrainable(false);
        Assert.True(bn.IsFrozen);

        var x = Random(11, 4, 3, 5, 5);
        var training = bn.Forward(x, training: true, relu).ToArray();
        Assert.Equal(mean, bn.RunningMean.ToArray());
        Assert.Equal(variance, bn.RunningVar.ToArray());
        Assert.Equal(tracked, bn.NumBatchesTracked.Span[0]);

        // y = γ (x − running_mean)/√(running_var + ε) + β, computed naively
        var gamma = bn.Weight.Value.ToArray();
        var beta = bn.Bias.Value.ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i / 25 % 3;
            double y = gamma[c] * (xs[i] - mean[c]) / Math.Sqrt(variance[c] + bn.Epsilon) + beta[c];
            if (relu)
                y = Math.Max(y, 0);
            Assert.Equal(y, training[i], 4);
        }
    }

    [Fact]
    public void FrozenBatchNorm_BackwardIsTheInferenceOne_AndLeavesGammaAndBetaWithoutGradient()
    {
        var bn = Trained();
        bn.SetTrainable(false);
        var x = Random(12, 2, 3, 4, 4);
        var dy = Random(13, 2, 3, 4, 4);
        bn.Forward(x, training: true);
        var dx = bn.Backward(dy).ToArray();
        var gamma = bn.Weight.Value.ToArray();
        var variance = bn.RunningVar.ToArray();
        var dys = dy.ToArray();
        for (int i = 0; i < dx.Length; i++)
        {
            int c = i / 16 % 3;
            Assert.Equal(gamma[c] / Math.Sqrt(variance[c] + bn.Epsilon) * dys[i], dx[i], 4);   // dx = γ/σ · dy
        }
        Assert.All(bn.Weight.Gradient.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(bn.Bias.Gradient.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void BatchNormWithOnlyGammaFrozen_StillNormalizesByTheBatch()
    {
        var bn = Trained();
        bn.Weight.Trainable = false;
        Assert.False(bn.IsFrozen);
        var mean = bn.RunningMean.ToArray();
        bn.Forward(Random(14, 4, 3, 5, 5), training: true);
        Assert.NotEqual(mean, bn.RunningMean.ToArray());
    }

    // A batch norm whose statistics, γ and β have moved away from their initial values.
    private static BatchNorm2d Trained()
    {
        var bn = new BatchNorm2d(3);
        bn.Forward(Random(10, 8, 3, 5, 5), training: true);
        Random(15, 3).Span.CopyTo(bn.Weight.Value.Span);
        Random(16, 3).Span.CopyTo(bn.Bias.Value.Span);
        return bn;
    }
}
