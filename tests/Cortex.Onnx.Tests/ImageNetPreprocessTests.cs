// ImageNetPreprocessTests.cs — the ResNet-18's preprocessing as a layer: against the package's own
// ResNetPreprocess.onnx run by ONNX Runtime (RGB at 224), against a naive per-pixel bilinear formula
// (gray 28×28 upsampled), and its backward against its forward (the adjoint identity of a linear map).
using Cortex.Tensors;

namespace Cortex.Onnx.Tests;

public sealed class ImageNetPreprocessTests
{
    [Fact]
    public void RgbAt224MatchesThePackagesPreprocessingGraph()
    {
        string? prepPath = PretrainedModels.ResNet18PreprocessPath();
        if (prepPath is null)
            Assert.Skip($"{PretrainedModels.ResNet18PackageId} is not restored in {PretrainedModels.GlobalPackagesFolder()}: run `dotnet restore tests/Cortex.Onnx.Tests`.");
        var mean = MeanOf(prepPath);
        var layer = new ImageNetPreprocess(new Shape(3, 224, 224), mean);
        var pixels = Tensor.RandomUniform(new Shape(1, 3, 224, 224), new CortexRandom(5), 0f, 1f);   // pixels/255, as Cortex's data sources give
        var rgb255 = new Tensor(pixels.Shape);
        for (int i = 0; i < pixels.Size; i++)
            rgb255.Span[i] = pixels.Span[i] * 255f;
        var (expected, dims) = OnnxTestSupport.RunOrt(File.ReadAllBytes(prepPath), rgb255, "OriginalInput");
        var actual = layer.Forward(pixels, training: false);
        Assert.Equal(dims, actual.Shape.Dimensions.ToArray());
        double error = OnnxTestSupport.RelativeError(expected, actual.Span);
        Assert.True(error <= 1e-5, $"the layer differs from ResNetPreprocess.onnx by {error:E2}");
    }

    [Fact]
    public void GrayIsReplicatedAndResizedBilinearly()
    {
        var mean = Tensor.RandomUniform(new Shape(3, 64, 64), new CortexRandom(2), 90f, 130f);
        var layer = new ImageNetPreprocess(new Shape(1, 28, 28), mean);
        var x = Tensor.RandomUniform(new Shape(2, 1, 28, 28), new CortexRandom(3), 0f, 1f);
        var y = layer.Forward(x, training: false);
        Assert.Equal(new Shape(2, 3, 64, 64), y.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 64; i++)
                {
                    for (int j = 0; j < 64; j++)
                    {
                        float expected = (255f * NaiveBilinear(x, n, 0, 28, 28, i, j, 64)) - mean[c, i, j];
                        Assert.True(Math.Abs(expected - y[n, c, i, j]) <= 1e-3f, $"({n}, {c}, {i}, {j}): {expected} vs {y[n, c, i, j]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RgbChannelsAreReversedAndDownsizedMeanIsBlockAverage()
    {
        // 224 → 112 with half-pixel centres samples each 2×2 block at its centre: the block's average.
        var image = Tensor.RandomUniform(new Shape(3, 8, 8), new CortexRandom(4), 0f, 255f);
        var half = ImageNetPreprocess.ResizeImage(image, 4);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    float block = (image[c, 2 * i, 2 * j] + image[c, (2 * i) + 1, 2 * j] + image[c, 2 * i, (2 * j) + 1] + image[c, (2 * i) + 1, (2 * j) + 1]) / 4f;
                    Assert.True(Math.Abs(block - half[c, i, j]) <= 1e-3f, $"({c}, {i}, {j}): {block} vs {half[c, i, j]}");
                }
            }
        }
        var layer = new ImageNetPreprocess(new Shape(3, 4, 4), half);
        var x = Tensor.RandomUniform(new Shape(1, 3, 4, 4), new CortexRandom(6), 0f, 1f);
        var y = layer.Forward(x, training: false);
        for (int c = 0; c < 3; c++)
            Assert.True(Math.Abs((255f * x[0, 2 - c, 1, 2]) - half[c, 1, 2] - y[0, c, 1, 2]) <= 1e-3f, $"channel {c} is not input channel {2 - c}");
    }

    [Theory]
    [InlineData(1, 5, 7, 9)]
    [InlineData(3, 6, 6, 4)]
    public void BackwardIsTheAdjointOfForward(int channels, int height, int width, int size)
    {
        // y = A·x − m is affine, so for any v and g: ⟨g, A·v⟩ = ⟨Aᵀ·g, v⟩ with A·v = f(v) − f(0).
        var mean = Tensor.RandomUniform(new Shape(3, size, size), new CortexRandom(7), 0f, 255f);
        var layer = new ImageNetPreprocess(new Shape(channels, height, width), mean);
        var v = Tensor.RandomUniform(new Shape(2, channels, height, width), new CortexRandom(8), -1f, 1f);
        var g = Tensor.RandomUniform(new Shape(2, 3, size, size), new CortexRandom(9), -1f, 1f);
        var av = layer.Forward(v, training: true).ToArray();
        var offset = layer.Forward(new Tensor(v.Shape), training: true).ToArray();
        double left = 0;
        for (int i = 0; i < av.Length; i++)
            left += g.Span[i] * (double)(av[i] - offset[i]);
        var atg = layer.Backward(g);
        double right = 0;
        for (int i = 0; i < v.Size; i++)
            right += atg.Span[i] * (double)v.Span[i];
        Assert.True(Math.Abs(left - right) <= 1e-3 * Math.Max(1, Math.Abs(left)), $"⟨g, Av⟩ = {left}, ⟨Aᵀg, v⟩ = {right}");
    }

    [Fact]
    public void WrongInputsAreRefusedByShape()
    {
        var mean = new Tensor(new Shape(3, 8, 8));
        Assert.Contains("1 (gray) or 3 (RGB)", Assert.Throws<ArgumentException>(() => new ImageNetPreprocess(new Shape(2, 8, 8), mean)).Message, StringComparison.Ordinal);
        var layer = new ImageNetPreprocess(new Shape(1, 8, 8), mean);
        Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(new Shape(1, 3, 8, 8)), training: false));
    }

    // v(i, j) of an s×s bilinear resize of an h×w plane, from the formula: source point
    // ((i + ½)·h/s − ½, (j + ½)·w/s − ½), the four neighbours clamped to the plane, weighted by distance.
    private static float NaiveBilinear(Tensor x, int n, int c, int h, int w, int i, int j, int s)
    {
        double sy = ((i + 0.5) * h / s) - 0.5, sx = ((j + 0.5) * w / s) - 0.5;
        int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
        double wy = sy - y0, wx = sx - x0;
        float At(int yy, int xx) => x[n, c, Math.Clamp(yy, 0, h - 1), Math.Clamp(xx, 0, w - 1)];
        return (float)(((1 - wy) * (1 - wx) * At(y0, x0)) + ((1 - wy) * wx * At(y0, x0 + 1)) + (wy * (1 - wx) * At(y0 + 1, x0)) + (wy * wx * At(y0 + 1, x0 + 1)));
    }

    private static Tensor MeanOf(string prepPath)
    {
        var file = OnnxReader.ReadFile(prepPath);
        var t = file.Graph.Initializer.First(i => i.Name == "MeanImage");
        return new Tensor(OnnxReader.Decode(t, "MeanImage", null).AsFloats(prepPath), new Shape(3, 224, 224));
    }
}
