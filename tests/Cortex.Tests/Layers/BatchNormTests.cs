using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class BatchNormTests
{
    [Fact]
    public void Training_NormalizesEachChannelToZeroMeanUnitVariance()
    {
        var bn = new BatchNorm2d(3);
        var x = Random(1, 4, 3, 2, 5) * 3f + 2f;
        var y = bn.Forward(x, training: true);
        for (int c = 0; c < 3; c++)
        {
            var values = ChannelValues(y, c);
            Assert.Equal(0.0, values.Average(), 5);
            Assert.Equal(1.0, values.Select(v => v * v).Average(), 3);   // biased variance, ε = 1e-5
        }
    }

    [Fact]
    public void Training_UpdatesRunningStatistics_PyTorchStyle()
    {
        var bn = new BatchNorm1d(2, momentum: 0.1f);
        var x = Tensor.FromArray(new float[,] { { 1, 10 }, { 2, 20 }, { 6, 30 } });
        bn.Forward(x, training: true);
        // channel 0: mean 3, biased var 14/3, unbiased var 7; channel 1: mean 20, unbiased var 100
        Assert.Equal(0.1f * 3, bn.RunningMean[0], 5);
        Assert.Equal(0.1f * 20, bn.RunningMean[1], 5);
        Assert.Equal(0.9f + 0.1f * 7, bn.RunningVar[0], 5);
        Assert.Equal(0.9f + 0.1f * 100, bn.RunningVar[1], 4);
        Assert.Equal(1f, bn.NumBatchesTracked.Span[0]);
        // and the normalization used the biased variance
        var y = bn.Forward(x, training: true);
        Assert.Equal((1 - 3) / MathF.Sqrt(14f / 3 + 1e-5f), y[0, 0], 5);
    }

    [Fact]
    public void Inference_UsesRunningStatistics()
    {
        var bn = new BatchNorm1d(2);
        bn.RunningMean.CopyFrom(Tensor.FromArray(1f, -2f));
        bn.RunningVar.CopyFrom(Tensor.FromArray(4f, 0.25f));
        bn.Weight.Value.CopyFrom(Tensor.FromArray(2f, 1f));
        bn.Bias.Value.CopyFrom(Tensor.FromArray(0.5f, 0f));
        var y = bn.Forward(Tensor.FromArray(new float[,] { { 3, -1 } }), training: false);   // one item is fine in inference
        Assert.Equal(2f * (3 - 1) / MathF.Sqrt(4 + 1e-5f) + 0.5f, y[0, 0], 5);
        Assert.Equal((-1 + 2) / MathF.Sqrt(0.25f + 1e-5f), y[0, 1], 4);
        Assert.Equal(0f, bn.NumBatchesTracked.Span[0]);
        Assert.Equal(1f, bn.RunningMean[0]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm1d_Gradients_MatchCentralDifferences(bool training)
    {
        var bn = RandomAffine(new BatchNorm1d(5), 7);
        bn.RunningVar.CopyFrom(Tensor.FromArray(0.5f, 1f, 2f, 1.5f, 0.8f));
        var options = new Cortex.Diagnostics.GradientCheckOptions { Training = training };
        var report = AssertGradients(bn, Random(8, 4, 5) * 2f + 1f, options: options);
        Assert.Equal(["input", "weight", "bias"], report.Entries.Select(e => e.Name));
        AssertGradients(RandomAffine(new BatchNorm1d(3), 9), Random(10, 2, 3, 3), options: options);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm2d_Gradients_MatchCentralDifferences(bool training)
    {
        var bn = RandomAffine(new BatchNorm2d(3), 11);
        var options = new Cortex.Diagnostics.GradientCheckOptions { Training = training };
        AssertGradients(bn, Random(12, 2, 3, 3, 5), options: options);
        AssertGradients(RandomAffine(new BatchNorm2d(1), 13), Random(14, 5, 1, 1, 1), options: options);
    }

    // relu: true is batch norm then ReLU in one pass: the same output, and Backward the gradient
    // through both (each checked against central differences above and in ActivationTests).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ForwardWithRelu_IsBatchNormThenReLU(bool training)
    {
        foreach (var (make, input) in new (Func<BatchNorm>, Tensor)[]
        {
            (() => RandomAffine(new BatchNorm2d(3), 21), Random(22, 4, 3, 5, 7)),
            (() => RandomAffine(new BatchNorm1d(5), 23), Random(24, 6, 5)),
        })
        {
            var fused = make();
            var separate = make();
            var relu = new ReLU();
            var dy = Random(25, [.. input.Shape.Dimensions]);

            var y = fused.Forward(input, training, relu: true);
            var expected = relu.Forward(separate.Forward(input, training), training);
            Assert.Equal(expected.ToArray(), y.ToArray());
            Assert.Contains(0f, y.ToArray());                                   // the ReLU did cut something

            var dx = fused.Backward(dy);
            var dxExpected = separate.Backward(relu.Backward(dy));
            Assert.All(dx.ToArray().Zip(dxExpected.ToArray()), p => Assert.Equal(p.Second, p.First, 1e-5));
            Assert.All(fused.Weight.Gradient.ToArray().Zip(separate.Weight.Gradient.ToArray()), p => Assert.Equal(p.Second, p.First, 1e-4));
            Assert.All(fused.Bias.Gradient.ToArray().Zip(separate.Bias.Gradient.ToArray()), p => Assert.Equal(p.Second, p.First, 1e-4));
        }
    }

    [Fact]
    public void GradientCheck_LeavesRunningStatisticsUntouched()
    {
        var bn = new BatchNorm2d(2);
        GradientCheckReportHelper(bn);
        Assert.Equal([0f, 0f], bn.RunningMean.ToArray());
        Assert.Equal([1f, 1f], bn.RunningVar.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked.Span[0]);
    }

    [Fact]
    public void KeysFollowPyTorch()
    {
        var model = new Sequential().Add("bn1", new BatchNorm2d(4));
        Assert.Equal(["bn1.weight", "bn1.bias"], model.NamedParameters().Select(p => p.Key));
        Assert.Equal(["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"], model.NamedBuffers().Select(b => b.Key));
    }

    [Fact]
    public void WrongChannels_NamesLayerAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchNorm2d(16).Forward(new Tensor(2, 8, 4, 4), training: true));
        AssertContainsAll(e.Message, "bn (BatchNorm2d)", "[N, 16, H, W]", "[2, 8, 4, 4]");
        var e1 = Assert.Throws<ArgumentException>(() => new BatchNorm1d(16).OutputShape(new Shape(2, 16, 4, 4)));
        AssertContainsAll(e1.Message, "bn (BatchNorm1d)", "[2, 16, 4, 4]");
    }

    [Fact]
    public void TrainingOnOneValuePerChannel_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(new Tensor(1, 3), training: true));
        AssertContainsAll(e.Message, "more than one value per channel", "[1, 3]");
    }

    [Fact]
    public void BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new BatchNorm1d(3).Backward(new Tensor(2, 3)));

    [Fact]
    public void Constructor_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(3, epsilon: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(3, momentum: 1.5f));
    }

    private static void GradientCheckReportHelper(BatchNorm2d bn) => AssertGradients(bn, Random(3, 2, 2, 2, 2));

    private static T RandomAffine<T>(T bn, ulong seed) where T : BatchNorm
    {
        var rng = new CortexRandom(seed);
        rng.FillUniform(bn.Weight.Value.Span, 0.5f, 1.5f);
        rng.FillNormal(bn.Bias.Value.Span);
        return bn;
    }

    private static List<double> ChannelValues(Tensor y, int c)
    {
        var values = new List<double>();
        for (int n = 0; n < y.Shape[0]; n++)
        {
            for (int i = 0; i < y.Shape[2]; i++)
            {
                for (int j = 0; j < y.Shape[3]; j++)
                    values.Add(y[n, c, i, j]);
            }
        }
        return values;
    }
}
