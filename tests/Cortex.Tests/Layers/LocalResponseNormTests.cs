using Cortex.Layers;
using Cortex.Tensors;
using static Cortex.Tests.Layers.LayerTesting;

namespace Cortex.Tests.Layers;

public class LocalResponseNormTests
{
    // The formula written out naively: s = k + α' Σ_{j ∈ [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋]} x_j², y = x / s^β.
    private static float Naive(Tensor x, int n, int c, int i, int j, int size, double alphaEffective, double beta, double k)
    {
        double sum = 0;
        for (int ch = c - size / 2; ch <= c + (size - 1) / 2; ch++)
        {
            if (ch >= 0 && ch < x.Shape[1])
                sum += (double)x[n, ch, i, j] * x[n, ch, i, j];
        }
        return (float)(x[n, c, i, j] / Math.Pow(k + alphaEffective * sum, beta));
    }

    [Theory]
    [InlineData(5, LrnScaling.AverageOfSquares)]
    [InlineData(5, LrnScaling.SumOfSquares)]
    [InlineData(4, LrnScaling.AverageOfSquares)]
    [InlineData(1, LrnScaling.SumOfSquares)]
    public void Forward_MatchesTheFormula(int size, LrnScaling scaling)
    {
        // Large inputs and α so the normalization matters (with AlexNet's α = 1e-4 it is nearly 2^−0.75·x).
        var lrn = new LocalResponseNorm(size, alpha: 0.5f, beta: 0.75f, k: 2f, scaling: scaling);
        var x = Random(1, 2, 7, 2, 3) * 3f;
        var y = lrn.Forward(x, training: false);
        double alphaEffective = scaling == LrnScaling.AverageOfSquares ? 0.5 / size : 0.5;
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 7; c++)
                Assert.Equal(Naive(x, n, c, 1, 2, size, alphaEffective, 0.75, 2), y[n, c, 1, 2], 1e-5f);
        }
    }

    [Fact]
    public void Defaults_AreAlexNets_WithPyTorchScaling()
    {
        var lrn = new LocalResponseNorm();
        Assert.Equal((5, 1e-4f, 0.75f, 2f, LrnScaling.AverageOfSquares), (lrn.Size, lrn.Alpha, lrn.Beta, lrn.K, lrn.Scaling));
    }

    [Theory]
    [InlineData(5, LrnScaling.AverageOfSquares)]
    [InlineData(3, LrnScaling.SumOfSquares)]
    [InlineData(2, LrnScaling.AverageOfSquares)]
    public void Gradients_MatchCentralDifferences(int size, LrnScaling scaling)
    {
        var lrn = new LocalResponseNorm(size, alpha: 0.8f, beta: 0.75f, k: 1.5f, scaling: scaling);
        AssertGradients(lrn, Random(2, 2, 6, 2, 3) * 1.5f);
        AssertGradients(new LocalResponseNorm(size, alpha: 0.8f, scaling: scaling), Random(3, 1, 3, 4));
    }

    [Fact]
    public void FlatInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new LocalResponseNorm().OutputShape(new Shape(4, 10)));
        AssertContainsAll(e.Message, "lrn (LocalResponseNorm)", "[4, 10]");
    }

    [Fact]
    public void Constructor_RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalResponseNorm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalResponseNorm(k: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalResponseNorm(alpha: -1f));
    }

    [Fact]
    public void BackwardBeforeForward_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new LocalResponseNorm().Backward(new Tensor(1, 3, 2, 2)));
}
