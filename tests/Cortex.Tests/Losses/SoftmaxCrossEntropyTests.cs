using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

public class SoftmaxCrossEntropyTests
{
    // The lectures' example: scores cat 3.2, car 5.1, frog −1.7 for an image of a cat.
    private static Tensor CatScores() => Tensor.FromArray(new float[,] { { 3.2f, 5.1f, -1.7f } });

    [Fact]
    public void LectureExample_ProbabilitiesAndLoss()
    {
        var loss = new SoftmaxCrossEntropy();
        float l = loss.Forward(CatScores(), Tensor.FromArray(0f));

        var p = loss.Probabilities!.ToArray();
        Assert.Equal(0.13, Math.Round(p[0], 2));
        Assert.Equal(0.87, Math.Round(p[1], 2));
        Assert.Equal(0.00, Math.Round(p[2], 2));
        Assert.Equal(1.0, p.Sum(v => (double)v), 6);

        // unnormalized probabilities on the slide: 24.5, 164.0, 0.18
        Assert.Equal(24.5, Math.Round(Math.Exp(3.2), 1));
        Assert.Equal(164.0, Math.Round(Math.Exp(5.1), 1));
        Assert.Equal(0.18, Math.Round(Math.Exp(-1.7), 2));

        // natural log: −ln(0.13) = 2.04; the slide's 0.89 is −log10 of the same probability
        Assert.Equal(2.04, Math.Round(l, 2));
        Assert.Equal(-Math.Log(p[0]), l, 5);
        Assert.Equal(0.89, Math.Round(-Math.Log10(p[0]), 2));
    }

    [Fact]
    public void LectureExample_GradientIsSoftmaxMinusOneHot()
    {
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(CatScores(), Tensor.FromArray(0f));
        var p = loss.Probabilities!.ToArray();
        var g = loss.Backward().ToArray();
        Assert.Equal(p[0] - 1f, g[0], 6);
        Assert.Equal(p[1], g[1], 6);
        Assert.Equal(p[2], g[2], 6);
    }

    [Fact]
    public void MeanOverBatch_EqualsAverageOfSingleLosses()
    {
        var random = new CortexRandom(11);
        var scores = Tensor.RandomNormal(new Shape(5, 7), random, std: 2f);
        var labels = LossGradient.RandomLabels(5, 7, random);
        var loss = new SoftmaxCrossEntropy();
        double expected = 0;
        for (int i = 0; i < 5; i++)
        {
            var row = scores.SliceBatch(i, 1).Span;
            double logZ = Math.Log(row.ToArray().Sum(v => Math.Exp(v)));
            expected += logZ - row[(int)labels.Span[i]];
        }
        Assert.Equal(expected / 5, loss.Forward(scores, labels), 5);
    }

    [Theory]
    [InlineData(1, 2, 0f)]
    [InlineData(5, 7, 0f)]
    [InlineData(3, 11, 0.1f)]
    public void Gradient_MatchesCentralDifferences(int n, int k, float smoothing)
    {
        var random = new CortexRandom((ulong)(n * 100 + k));
        var scores = Tensor.RandomNormal(new Shape(n, k), random, std: 3f);
        var labels = LossGradient.RandomLabels(n, k, random);
        LossGradient.Check(new SoftmaxCrossEntropy(smoothing), scores, labels);
    }

    [Fact]
    public void ExtremeScores_GiveFiniteLossAndGradient()
    {
        var scores = Tensor.FromArray(new float[,] { { 1000f, -1000f, 0f }, { -1000f, 1000f, 999f } });
        var labels = Tensor.FromArray(1f, 1f);
        var loss = new SoftmaxCrossEntropy();
        float l = loss.Forward(scores, labels);
        // row 0: log Σ exp ≈ 1000, minus s_y = −1000 → 2000; row 1: log(e^1000 + e^999) − 1000 = log(1 + e^−1)
        Assert.Equal((2000 + Math.Log(1 + Math.Exp(-1))) / 2, l, 3);
        var g = loss.Backward().ToArray();
        Assert.All(g, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0.5f, g[0], 6);
        Assert.Equal(-0.5f, g[1], 6);
        LossGradient.Check(loss, scores, labels);
    }

    [Fact]
    public void LabelSmoothing_MovesTargetMassToOtherClasses()
    {
        var scores = Tensor.FromArray(new float[,] { { 2f, 0f, -1f, 0.5f } });
        var loss = new SoftmaxCrossEntropy(labelSmoothing: 0.2f);
        float l = loss.Forward(scores, Tensor.FromArray(0f));
        var p = loss.Probabilities!.ToArray();
        double[] q = [0.8 + 0.05, 0.05, 0.05, 0.05];
        double expected = -Enumerable.Range(0, 4).Sum(j => q[j] * Math.Log(p[j]));
        Assert.Equal(expected, l, 5);
        var g = loss.Backward().ToArray();
        for (int j = 0; j < 4; j++)
            Assert.Equal(p[j] - q[j], g[j], 6);
    }

    [Fact]
    public void AcceptsTrailingUnitAxes()
    {
        var scores = Tensor.FromArray(new float[] { 3.2f, 5.1f, -1.7f }, new Shape(1, 3, 1, 1));
        var loss = new SoftmaxCrossEntropy();
        Assert.Equal(2.04, Math.Round(loss.Forward(scores, Tensor.FromArray(0f)), 2));
        Assert.Equal(scores.Shape, loss.Backward().Shape);
    }

    [Fact]
    public void SoftmaxCrossEntropy_BadLabelSmoothing_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropy(1f));
        Assert.Contains("SoftmaxCrossEntropy: expected label smoothing in [0, 1), got 1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardBackward_SameShapeAgain_AllocatesNothing()
    {
        var loss = new SoftmaxCrossEntropy();
        var scores = Tensor.RandomNormal(new Shape(64, 10), new CortexRandom(3));
        var labels = new Tensor(64);
        for (int i = 0; i < 64; i++)
            labels.Span[i] = i % 10;
        loss.Forward(scores, labels);
        loss.Backward();                                  // the first call allocates its buffers

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            loss.Forward(scores, labels);
            loss.Backward();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
