using Cortex.Losses;
using Cortex.Tensors;

namespace Cortex.Tests.Losses;

public class MulticlassSvmTests
{
    // The lectures' scores, one row per image (the slide's columns): cat, car, frog images,
    // each scored for the classes cat, car, frog.
    private static readonly float[,] LectureScores =
    {
        { 3.2f, 5.1f, -1.7f },
        { 1.3f, 4.9f, 2.0f },
        { 2.2f, 2.5f, -3.1f },
    };

    [Theory]
    [InlineData(0, 2.9)]
    [InlineData(1, 0.0)]
    [InlineData(2, 12.9)]
    public void LectureExample_PerImageLosses(int image, double expected)
    {
        var scores = Tensor.FromArray(LectureScores).SliceBatch(image, 1);
        float l = new MulticlassSvm().Forward(scores, Tensor.FromArray((float)image));
        Assert.Equal(expected, l, 5);
    }

    [Fact]
    public void LectureExample_MeanIs5Point27()
    {
        float l = new MulticlassSvm().Forward(Tensor.FromArray(LectureScores), Tensor.FromArray(0f, 1f, 2f));
        Assert.Equal(15.8 / 3, l, 5);
        Assert.Equal(5.27, Math.Round(l, 2));          // the slide's 5.26 truncates 5.2667
    }

    [Fact]
    public void LectureExample_Subgradient()
    {
        var svm = new MulticlassSvm();
        svm.Forward(Tensor.FromArray(LectureScores), Tensor.FromArray(0f, 1f, 2f));
        float third = 1f / 3;
        float[] expected =
        [
            -third, third, 0f,           // cat image: only car's margin (2.9) is positive
            0f, 0f, 0f,                  // car image: no margin is positive
            third, third, -2 * third,    // frog image: cat (6.3) and car (6.6)
        ];
        var g = svm.Backward().ToArray();
        for (int e = 0; e < expected.Length; e++)
            Assert.Equal(expected[e], g[e], 6);
    }

    [Fact]
    public void Margin_IsConfigurable()
    {
        var scores = Tensor.FromArray(LectureScores).SliceBatch(0, 1);
        Assert.Equal(1.9, new MulticlassSvm(margin: 0f).Forward(scores, Tensor.FromArray(0f)), 5);
        Assert.Equal(3.9, new MulticlassSvm(margin: 2f).Forward(scores, Tensor.FromArray(0f)), 5);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 5)]
    [InlineData(4, 13)]
    public void Gradient_MatchesCentralDifferences(int n, int k)
    {
        var random = new CortexRandom((ulong)(n * 31 + k));
        var labels = LossGradient.RandomLabels(n, k, random);
        var scores = Tensor.RandomNormal(new Shape(n, k), random, std: 1.5f);
        // Keep every margin s_j − s_y + 1 away from the hinge's kink.
        var s = scores.Span;
        for (int i = 0; i < n; i++)
        {
            int y = (int)labels.Span[i];
            for (int j = 0; j < k; j++)
            {
                while (j != y && Math.Abs(s[i * k + j] - s[i * k + y] + 1) < 0.05)
                    s[i * k + j] += 0.1f;
            }
        }
        LossGradient.Check(new MulticlassSvm(), scores, labels);
    }

    [Fact]
    public void MulticlassSvm_NegativeMargin_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MulticlassSvm(-1f));
        Assert.Contains("MulticlassSvm: expected a finite margin Δ ≥ 0, got -1.", e.Message, StringComparison.Ordinal);
    }
}
