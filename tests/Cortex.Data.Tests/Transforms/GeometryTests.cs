using Cortex.Data.Images;
using Cortex.Data.Transforms;
using Cortex.Tensors;
using static Cortex.Data.Tests.Transforms.TestImages;

namespace Cortex.Data.Tests.Transforms;

public sealed class GeometryTests
{
    private static readonly ImageSize Small = new(2, 3, 4);

    [Fact]
    public void HorizontalFlip_Always_MovesPixelToMirrorColumn()
    {
        var x = Indexed(Small);
        var y = Apply(new HorizontalFlip(probability: 1), x, Small);
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(At(x, Small, c, i, 3 - j), At(y, Small, c, i, j));
    }

    [Fact]
    public void HorizontalFlip_Never_IsIdentity_AndHalfTheTimeByDefault()
    {
        var x = Indexed(Small);
        Assert.Equal(x, Apply(new HorizontalFlip(probability: 0), x, Small));
        int flipped = 0;
        for (ulong seed = 0; seed < 400; seed++)
            flipped += Apply(new HorizontalFlip(), x, Small, seed)[0] == x[0] ? 0 : 1;
        Assert.InRange(flipped, 160, 240);
    }

    [Fact]
    public void VerticalFlip_Always_MovesPixelToMirrorRow()
    {
        var x = Indexed(Small);
        var y = Apply(new VerticalFlip(probability: 1), x, Small);
        Assert.Equal(At(x, Small, 1, 2, 3), At(y, Small, 1, 0, 3));
        Assert.Equal(At(x, Small, 0, 0, 1), At(y, Small, 0, 2, 1));
    }

    [Fact]
    public void RandomCrop_WithPadding_IsAWindowOfTheZeroPaddedImage_AndReachesEveryOffset()
    {
        var size = new ImageSize(1, 4, 4);
        var x = Indexed(size);
        for (int i = 0; i < x.Length; i++)
            x[i] += 1;                       // no zero pixels, so padding is recognisable
        var crop = new RandomCrop(4, 4, padding: 1);
        var seen = new HashSet<(int, int)>();
        for (ulong seed = 0; seed < 200; seed++)
        {
            var y = Apply(crop, x, size, seed);
            var offset = FindOffset(x, size, y, 4, 4, padding: 1);
            Assert.NotNull(offset);
            seen.Add(offset.Value);
        }
        Assert.Equal(9, seen.Count);          // oy, ox ∈ {0, 1, 2}: all nine windows, none outside
    }

    [Fact]
    public void RandomCrop_Cifar_KeepsSize_AndRefusesTooSmallImages()
    {
        var crop = new RandomCrop(32, 32, padding: 4);
        Assert.Equal(new ImageSize(3, 32, 32), crop.OutputSize(new ImageSize(3, 32, 32)));
        var e = Assert.Throws<ArgumentException>(() => crop.OutputSize(new ImageSize(3, 20, 20)));
        Assert.Contains("expected an image of at least 24×24, got 3×20×20", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomShift_MovesAKnownPixelByAtMostTwo_FillingWithZero()
    {
        var size = new ImageSize(1, 7, 7);
        var x = new float[size.Length];
        x[3 * 7 + 3] = 1;                     // one bright pixel in the middle
        var shifts = new HashSet<(int, int)>();
        for (ulong seed = 0; seed < 300; seed++)
        {
            var y = Apply(new RandomShift(2), x, size, seed);
            int at = Array.IndexOf(y, 1f);
            Assert.True(at >= 0);
            Assert.Equal(1f, y.Sum());
            shifts.Add((at / 7 - 3, at % 7 - 3));
        }
        Assert.All(shifts, s => Assert.True(Math.Abs(s.Item1) <= 2 && Math.Abs(s.Item2) <= 2));
        Assert.Equal(25, shifts.Count);
    }

    [Fact]
    public void RandomShift_UncoveredBorderIsZero()
    {
        var size = new ImageSize(1, 5, 5);
        var x = Enumerable.Repeat(1f, size.Length).ToArray();
        for (ulong seed = 0; seed < 50; seed++)
        {
            var y = Apply(new RandomShift(2), x, size, seed);
            int ones = y.Count(v => v == 1f);
            int zeros = y.Count(v => v == 0f);
            Assert.Equal(25, ones + zeros);
            Assert.InRange(ones, 9, 25);
        }
    }

    [Fact]
    public void CenterCrop_And_CornerCrops_TakeTheExpectedWindows()
    {
        var size = new ImageSize(1, 5, 6);
        var x = Indexed(size);
        Assert.Equal([11, 12, 13, 21, 22, 23, 31, 32, 33], Apply(new CenterCrop(3, 3), x, size));
        Assert.Equal([0, 1, 10, 11], Apply(new Crop(2, 2, CropAnchor.TopLeft), x, size));
        Assert.Equal([4, 5, 14, 15], Apply(new Crop(2, 2, CropAnchor.TopRight), x, size));
        Assert.Equal([30, 31, 40, 41], Apply(new Crop(2, 2, CropAnchor.BottomLeft), x, size));
        Assert.Equal([34, 35, 44, 45], Apply(new Crop(2, 2, CropAnchor.BottomRight), x, size));
    }

    [Fact]
    public void Rotation90_OfAKnownPattern_MovesEveryPixel()
    {
        var size = new ImageSize(1, 3, 3);
        var x = Indexed(size);                // 0 1 2 / 10 11 12 / 20 21 22
        var m = Affine2D.AboutCenter(Affine2D.Rotation(Math.PI / 2), 3, 3);
        var y = new float[9];
        AffineWarp.Apply(x, size, y, 3, 3, m);
        // Inverse map (r, c) = (2 − j, i): output row 0 is input column 0 read upwards.
        float[] expected = [20, 10, 0, 21, 11, 1, 22, 12, 2];
        for (int k = 0; k < 9; k++)
            Assert.Equal(expected[k], y[k], 1e-4f);
        // Four quarter turns are the identity.
        var full = Affine2D.AboutCenter(Affine2D.Rotation(2 * Math.PI), 3, 3);
        var z = new float[9];
        AffineWarp.Apply(x, size, z, 3, 3, full);
        for (int k = 0; k < 9; k++)
            Assert.Equal(x[k], z[k], 1e-4f);
    }

    [Theory]
    [InlineData(FillMode.Nearest, new float[] { 1, 1, 1, 2 })]
    [InlineData(FillMode.Constant, new float[] { 9, 9, 1, 2 })]
    [InlineData(FillMode.Reflect, new float[] { 2, 1, 1, 2 })]
    [InlineData(FillMode.Wrap, new float[] { 3, 4, 1, 2 })]
    public void AffineWarp_ShiftRight_FillsTheBorderByMode(FillMode mode, float[] expected)
    {
        var size = new ImageSize(1, 1, 4);
        float[] x = [1, 2, 3, 4];             // a b c d
        var y = new float[4];
        AffineWarp.Apply(x, size, y, 1, 4, Affine2D.Translation(0, -2), mode, fillValue: 9);
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(FillMode.Nearest)]
    [InlineData(FillMode.Constant)]
    [InlineData(FillMode.Reflect)]
    [InlineData(FillMode.Wrap)]
    public void AffineWarp_RandomKerasWarps_MatchTheBilinearDefinitionTapByTap(FillMode mode)
    {
        // Warps whose taps fall inside, on the border and outside the image: every output value
        // equals the formula in AffineWarp's header with each of the four taps resolved by the
        // fill mode, whichever way it was computed (eight-pixel blocks for nearest and constant
        // where AVX-512 exists, 11 columns making the last block overlap; pixel by pixel otherwise).
        var size = new ImageSize(3, 9, 11);
        var random = new Random(7);
        var x = Enumerable.Range(0, size.Length).Select(_ => (float)random.NextDouble()).ToArray();
        for (int trial = 0; trial < 20; trial++)
        {
            var m = RandomAffine.Matrix(size.Height, size.Width, 80 * random.NextDouble() - 40, 4 * random.NextDouble() - 2,
                4 * random.NextDouble() - 2, 20 * random.NextDouble() - 10, 0.7 + 0.6 * random.NextDouble(), 0.7 + 0.6 * random.NextDouble());
            var y = new float[size.Length];
            AffineWarp.Apply(x, size, y, size.Height, size.Width, m, mode, fillValue: -1f);
            for (int c = 0; c < size.Channels; c++)
                for (int i = 0; i < size.Height; i++)
                    for (int j = 0; j < size.Width; j++)
                        Assert.Equal(Bilinear(x, size, c, m.A * i + m.B * j + m.C, m.D * i + m.E * j + m.F, mode, -1f), At(y, size, c, i, j));
        }
    }

    private static float Bilinear(float[] x, ImageSize size, int channel, double r, double c, FillMode mode, float fill)
    {
        double rf = Math.Floor(r), cf = Math.Floor(c);
        float a = (float)(r - rf), b = (float)(c - cf);
        float Tap(int row, int column)
        {
            int y = FillModes.Map(row, size.Height, mode), xx = FillModes.Map(column, size.Width, mode);
            return y < 0 || xx < 0 ? fill : At(x, size, channel, y, xx);
        }
        int r0 = (int)rf, c0 = (int)cf;
        return (1 - a) * (1 - b) * Tap(r0, c0) + (1 - a) * b * Tap(r0, c0 + 1) + a * (1 - b) * Tap(r0 + 1, c0) + a * b * Tap(r0 + 1, c0 + 1);
    }

    [Fact]
    public void FillModes_MatchKerasDocumentation()
    {
        // Keras: reflect "abcddcba|abcd|dcbaabcd", wrap "abcdabcd|abcd|abcdabcd", nearest "aaaaaaaa|abcd|dddddddd".
        string Row(FillMode mode) => new(Enumerable.Range(-8, 20).Select(i => FillModes.Map(i, 4, mode) is int k and >= 0 ? "abcd"[k] : 'k').ToArray());
        Assert.Equal("abcddcbaabcddcbaabcd", Row(FillMode.Reflect));
        Assert.Equal("abcdabcdabcdabcdabcd", Row(FillMode.Wrap));
        Assert.Equal("aaaaaaaaabcddddddddd", Row(FillMode.Nearest));
        Assert.Equal("kkkkkkkkabcdkkkkkkkk", Row(FillMode.Constant));
    }

    [Fact]
    public void RandomAffine_WithNoRanges_IsIdentity()
    {
        var x = Indexed(Small);
        var y = Apply(new RandomAffine(), x, Small, seed: 5);
        for (int k = 0; k < x.Length; k++)
            Assert.Equal(x[k], y[k], 1e-3f);
    }

    [Fact]
    public void RandomAffine_Keras_KeepsAConstantImageConstant_WithNearestFill()
    {
        var size = new ImageSize(3, 16, 16);
        var x = Enumerable.Repeat(0.25f, size.Length).ToArray();
        for (ulong seed = 0; seed < 20; seed++)
            Assert.All(Apply(Augmentations.Keras(), x, size, seed), v => Assert.Equal(0.25f, v, 1e-5f));
    }

    [Fact]
    public void RandomAffine_Matrix_ZoomKeepsTheCentre_AndShiftMovesContent()
    {
        var zoom = RandomAffine.Matrix(5, 5, 0, 0, 0, 0, 0.5, 0.5);
        Assert.Equal((2.0, 2.0), zoom.Map(2, 2));
        var (r, c) = zoom.Map(0, 0);
        Assert.Equal(1.0, r, 9);
        Assert.Equal(1.0, c, 9);
        var shift = RandomAffine.Matrix(5, 5, 0, 1, -2, 0, 1, 1);
        Assert.Equal((3.0, 0.0), shift.Map(2, 2));
    }

    [Fact]
    public void Resize_Bilinear_UsesHalfPixelCentres()
    {
        float[] x = [0, 1, 2, 3];
        var y = new float[16];
        ImageResize.Bilinear(x, new ImageSize(1, 2, 2), y, 4, 4);
        // As PyTorch interpolate(align_corners=False): row 0 = [0, .25, .75, 1], row 1 = row 0 + 0.5.
        float[] expected = [0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3];
        for (int k = 0; k < 16; k++)
            Assert.Equal(expected[k], y[k], 1e-6f);
    }

    [Fact]
    public void ScaleAugmentation_AtScaleOne_IsACrop_AndOutputsThePatchSize()
    {
        var size = new ImageSize(1, 6, 6);
        var x = Indexed(size);
        var same = new ScaleAugmentation(6, 6, 6, 6);
        Assert.Equal(x, Apply(same, x, size, 3));
        var resnet = new ScaleAugmentation(256, 480, 224, 224);
        Assert.Equal(new ImageSize(3, 224, 224), resnet.OutputSize(new ImageSize(3, 300, 400)));
        var constant = Enumerable.Repeat(0.5f, 3 * 40 * 50).ToArray();
        var y = Apply(new ScaleAugmentation(36, 60, 32, 32), constant, new ImageSize(3, 40, 50), 9);
        Assert.Equal(3 * 32 * 32, y.Length);
        Assert.All(y, v => Assert.Equal(0.5f, v, 1e-6f));
    }

    [Fact]
    public void RandomResizedCrop_OutputsTheSize_AndStaysInRange()
    {
        var size = new ImageSize(1, 20, 30);
        var x = Indexed(size);
        for (ulong seed = 0; seed < 20; seed++)
        {
            var y = Apply(new RandomResizedCrop(8, 8), x, size, seed);
            Assert.Equal(64, y.Length);
            Assert.All(y, v => Assert.InRange(v, 0f, 10 * 19 + 29));
        }
    }

    [Fact]
    public void Transforms_SameSeedSameOutput_DifferentSeedDifferentOutput()
    {
        var size = new ImageSize(3, 12, 12);
        var x = Tensor.RandomUniform(size.ToShape(), new CortexRandom(3)).ToArray();
        foreach (var t in new Transform[] { Augmentations.Keras(), Augmentations.Cifar(size, 2), Augmentations.ConvNetJs(), new RandomErasing(1), new ColorJitter() })
        {
            Assert.Equal(Apply(t, x, size, 11), Apply(t, x, size, 11));
            Assert.NotEqual(Apply(t, x, size, 11), Apply(t, x, size, 12));
        }
    }

    [Fact]
    public void Compose_AppliesInOrder_AndTheTensorOverloadAllocatesTheOutput()
    {
        var size = new ImageSize(1, 4, 4);
        var x = Indexed(size);
        var pipeline = new Compose(new Crop(2, 2, CropAnchor.TopLeft), new HorizontalFlip(probability: 1), new VerticalFlip(probability: 1));
        Assert.Equal(new ImageSize(1, 2, 2), pipeline.OutputSize(size));
        Assert.Equal([11, 10, 1, 0], Apply(pipeline, x, size));
        var y = pipeline.Apply(Tensor.FromArray(x, size.ToShape()), new CortexRandom(0));
        Assert.Equal(new Shape(1, 2, 2), y.Shape);
        Assert.Equal("Crop(2×2, TopLeft) → HorizontalFlip(p 1) → VerticalFlip(p 1)", pipeline.Name);
    }

    [Fact]
    public void Transform_WrongSpanLength_ThrowsWithSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new HorizontalFlip().Apply(new float[5], new ImageSize(1, 2, 2), new float[4], new CortexRandom(0)));
        Assert.Contains("HorizontalFlip: expected a source image of 1×2×2 = 4 floats, got 5.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Augmentations_Parse_BuildsPresets_AndRejectsUnknownNames()
    {
        var size = new ImageSize(3, 32, 32);
        Assert.Contains("RandomAffine", Augmentations.Parse("keras", size).Name, StringComparison.Ordinal);
        Assert.Equal("RandomCrop(32×32, pad 4) → HorizontalFlip", Augmentations.Parse("cifar", size).Name);
        Assert.Equal("RandomShift(±2px) → HorizontalFlip", Augmentations.Parse("convnetjs", size).Name);
        Assert.Equal("RandomCrop(32×32, pad 4) → HorizontalFlip → Cutout(16×16)", Augmentations.Parse("cifar+cutout", size).Name);
        Assert.Equal(size, Augmentations.Parse("resnet", size).OutputSize(size));
        var e = Assert.Throws<ArgumentException>(() => Augmentations.Parse("cifar+mixup", size));
        Assert.Contains("unknown recipe 'mixup'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Augmentations.Parse("pca", size));
    }

    private static (int, int)? FindOffset(float[] x, ImageSize size, float[] y, int h, int w, int padding)
    {
        for (int oy = 0; oy <= size.Height + 2 * padding - h; oy++)
        {
            for (int ox = 0; ox <= size.Width + 2 * padding - w; ox++)
            {
                bool match = true;
                for (int i = 0; i < h && match; i++)
                {
                    for (int j = 0; j < w && match; j++)
                    {
                        int si = oy + i - padding, sj = ox + j - padding;
                        float expected = si < 0 || sj < 0 || si >= size.Height || sj >= size.Width ? 0 : At(x, size, 0, si, sj);
                        match = y[i * w + j] == expected;
                    }
                }
                if (match)
                    return (oy, ox);
            }
        }
        return null;
    }
}
