using Cortex.Data.Transforms;
using Cortex.Tensors;
using static Cortex.Data.Tests.Transforms.TestImages;

namespace Cortex.Data.Tests.Transforms;

public sealed class ColorTests
{
    [Fact]
    public void PcaFit_RecoversTheDominantColourDirection()
    {
        // Pixels spread along (1, 1, 1)/√3 with variance 0.04, and a little along (1, −1, 0)/√2 with variance 0.0025.
        const int n = 4000;
        var random = new CortexRandom(2);
        var images = new Tensor(n, 3, 1, 1);
        var x = images.Span;
        for (int i = 0; i < n; i++)
        {
            double a = random.Normal(0, 0.2), b = random.Normal(0, 0.05);
            x[i * 3 + 0] = (float)(0.5 + a / Math.Sqrt(3) + b / Math.Sqrt(2));
            x[i * 3 + 1] = (float)(0.5 + a / Math.Sqrt(3) - b / Math.Sqrt(2));
            x[i * 3 + 2] = (float)(0.5 + a / Math.Sqrt(3));
        }
        var data = new ImageDataset(images, new int[n], ["x"]);
        var pca = PcaColorAugmentation.Fit(data);
        Assert.Equal(0.04, pca.Eigenvalues[0], 0.004);
        Assert.Equal(0.0025, pca.Eigenvalues[1], 0.0004);
        Assert.True(pca.Eigenvalues[2] < 1e-4);
        for (int c = 0; c < 3; c++)
            Assert.Equal(1 / Math.Sqrt(3), pca.Eigenvectors[c * 3], 0.01);   // first column ≈ (1,1,1)/√3, sign fixed positive
    }

    [Fact]
    public void PcaAugmentation_OffsetAlongEachComponent_HasStdSigmaTimesLambda()
    {
        // Eigenvectors: the identity, so the offset on channel k is α_k·λ_k with α_k ~ N(0, 0.1²).
        float[] lambda = [0.2f, 0.05f, 0.01f];
        var pca = new PcaColorAugmentation(lambda, [1, 0, 0, 0, 1, 0, 0, 0, 1], std: 0.1);
        var size = new ImageSize(3, 2, 2);
        var zero = new float[size.Length];
        var output = new float[size.Length];
        const int draws = 4000;
        var sums = new double[3];
        var squares = new double[3];
        var random = new CortexRandom(7);
        for (int d = 0; d < draws; d++)
        {
            pca.Apply(zero, size, output, random);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(output[c * 4], output[c * 4 + 3]);   // one offset for the whole image
                sums[c] += output[c * 4];
                squares[c] += output[c * 4] * (double)output[c * 4];
            }
        }
        for (int c = 0; c < 3; c++)
        {
            double mean = sums[c] / draws, std = Math.Sqrt(squares[c] / draws - mean * mean);
            Assert.Equal(0.1 * lambda[c], std, 0.1 * lambda[c] * 0.06);
            Assert.True(Math.Abs(mean) < 0.1 * lambda[c] * 0.1);
        }
    }

    [Fact]
    public void Pca_OnGreyImages_Throws()
    {
        var data = RandomDataset(2, new ImageSize(1, 2, 2), 1, 1);
        var e = Assert.Throws<ArgumentException>(() => PcaColorAugmentation.Fit(data));
        Assert.Contains("expected RGB images (3 channels)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ColorJitter_KeepsAFlatGreyImageFlat_AndStaysInUnitRange()
    {
        var size = new ImageSize(3, 4, 4);
        var flat = Enumerable.Repeat(0.5f, size.Length).ToArray();
        var y = Apply(new ColorJitter(brightness: 0, contrast: 0.5), flat, size, 3);
        Assert.All(y, v => Assert.Equal(0.5f, v, 1e-6f));          // contrast about the mean moves nothing
        var x = Tensor.RandomUniform(size.ToShape(), new CortexRandom(1)).ToArray();
        for (ulong seed = 0; seed < 20; seed++)
            Assert.All(Apply(new ColorJitter(0.8, 0.8), x, size, seed), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Normalize_Fit_GivesZeroMeanUnitStd()
    {
        var data = RandomDataset(50, new ImageSize(3, 4, 4), 2, 5);
        var normalize = Normalize.Fit(data);
        var normalized = normalize.ApplyTo(data);
        var all = normalized.Images.Span;
        for (int c = 0; c < 3; c++)
        {
            double s = 0, q = 0;
            int n = 0;
            for (int i = 0; i < data.Count; i++)
            {
                foreach (float v in all.Slice((i * 3 + c) * 16, 16))
                {
                    s += v;
                    q += v * (double)v;
                    n++;
                }
            }
            Assert.Equal(0, s / n, 1e-4);
            Assert.Equal(1, Math.Sqrt(q / n - s / n * (s / n)), 1e-3);
        }
        Assert.Equal([1f, 1f, 1f], Normalize.Fit(data, subtractMeanOnly: true).Std);
    }

    [Fact]
    public void Cutout_And_RandomErasing_EraseOneRectangle()
    {
        var size = new ImageSize(1, 8, 8);
        var ones = Enumerable.Repeat(1f, size.Length).ToArray();
        for (ulong seed = 0; seed < 30; seed++)
        {
            var cut = Apply(new Cutout(4), ones, size, seed);
            Assert.InRange(cut.Count(v => v == 0), 4, 16);         // a 4×4 square, clipped at the border to at least 2×2
            var erased = Apply(new RandomErasing(probability: 1), ones, size, seed);
            Assert.InRange(erased.Count(v => v == 0), 1, (int)(64 * 0.33) + 8);
        }
        Assert.Equal(ones, Apply(new RandomErasing(probability: 0), ones, size));
    }
}
