using Cortex.Kernels.Reference;
using static Cortex.Kernels.Tests.Convolution.ConvTestData;

namespace Cortex.Kernels.Tests.Convolution;

public class Convolution2dTests
{
    // The lectures' worked example: a 4×4 input and a 3×3 filter.
    private static readonly float[] LectureInput = [1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1];
    private static readonly float[] LectureFilter = [2, 0, 1, 0, 1, 2, 1, 0, 2];

    /// <summary>Runs both the fast (im2col + GEMM) and the reference convolution and checks they agree.</summary>
    private static float[] Convolve(Conv2dGeometry g, float[] x, float[] w, float[] bias, int batch = 1, int filters = 1)
    {
        var fast = new float[batch * filters * g.OutputPlaneSize];
        var reference = new float[fast.Length];
        Convolution2d.Forward(g, batch, filters, x, w, bias, fast, new float[Convolution2d.WorkspaceSize(g)]);
        Convolution2dReference.Forward(g, batch, filters, x, w, bias, reference);
        AssertClose(reference, fast, 1e-5, g.ToString());
        return fast;
    }

    [Fact]
    public void Convolution_LectureExample_Gives15_16_6_15()
    {
        var y = Convolve(new Conv2dGeometry(1, 4, 4, 3, 3), LectureInput, LectureFilter, []);
        Assert.Equal([15f, 16, 6, 15], y);
    }

    [Fact]
    public void Convolution_LectureExampleWithBias3_Gives18_19_9_18()
    {
        var y = Convolve(new Conv2dGeometry(1, 4, 4, 3, 3), LectureInput, LectureFilter, [3f]);
        Assert.Equal([18f, 19, 9, 18], y);
    }

    [Fact]
    public void Convolution_LectureExampleZeroPadded_KeepsFourByFour()
    {
        var y = Convolve(new Conv2dGeometry(1, 4, 4, 3, 3, padding: 1), LectureInput, LectureFilter, []);
        Assert.Equal([7f, 12, 10, 2, 4, 15, 16, 10, 10, 6, 15, 6, 8, 10, 4, 3], y);
    }

    [Fact]
    public void Convolution_LectureExampleReplicatePadded_RepeatsTheEdges()
    {
        // Checked by hand-written Python against the definition (edge values repeated, numpy.pad mode="edge").
        var g = new Conv2dGeometry(1, 4, 4, 3, 3, padding: 1, paddingMode: PaddingMode.Replicate);
        var y = Convolve(g, LectureInput, LectureFilter, []);
        Assert.Equal([11f, 17, 14, 14, 9, 15, 16, 20, 12, 6, 15, 15, 22, 12, 9, 9], y);
    }

    [Fact]
    public void Convolution_LectureFiveByFiveExample_Gives4_3_4()
    {
        float[] x = [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0];
        float[] w = [1, 0, 1, 0, 1, 0, 1, 0, 1];
        var y = Convolve(new Conv2dGeometry(1, 5, 5, 3, 3), x, w, []);
        Assert.Equal([4f, 3, 4, 2, 4, 3, 2, 3, 4], y);
    }

    [Fact]
    public void Convolution_LectureSevenBySeven_StrideOneAndTwo()
    {
        // The lectures' 7×7 input (the 4×4 pattern continued) with the same filter: 15, 17 along the top at stride 2.
        float[] x =
        [
            1, 2, 3, 0, 1, 2, 3,
            0, 1, 2, 3, 0, 1, 2,
            3, 0, 1, 2, 3, 0, 1,
            2, 3, 0, 1, 2, 3, 0,
            1, 2, 3, 0, 1, 2, 3,
            0, 1, 2, 3, 0, 1, 2,
            3, 0, 1, 2, 3, 0, 1,
        ];
        var one = new Conv2dGeometry(1, 7, 7, 3, 3, stride: 1);
        var two = new Conv2dGeometry(1, 7, 7, 3, 3, stride: 2);
        Assert.Equal((5, 5), (one.OutputHeight, one.OutputWidth));
        Assert.Equal((3, 3), (two.OutputHeight, two.OutputWidth));
        var y1 = Convolve(one, x, LectureFilter, []);
        var y2 = Convolve(two, x, LectureFilter, []);
        Assert.Equal(15f, y2[0]);
        Assert.Equal(17f, y2[1]);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(y1[2 * i * 5 + 2 * j], y2[i * 3 + j]);   // stride 2 keeps every other window
    }

    [Theory]
    [InlineData(PaddingMode.Zero, new[] { 1.8f, 2.9f, 3.7f, 3.5f, 7.9f, 8.9f, 7.4f, 1.4f })]
    [InlineData(PaddingMode.Replicate, new[] { 2.7f, 2.9f, 3.7f, 3.5f, 7.9f, 8.9f, 7.4f, 2.0f })]
    public void Convolution_LectureOneDimensionalPadding_ZeroAndCopy(PaddingMode mode, float[] expected)
    {
        // The lectures' "0 덧대기" / "복사 덧대기" example: kernel (0.3, 0.4, 0.3) over 8 values, padded by 1.
        var g = Conv2dGeometry.For1d(1, 8, 3, padLeft: 1, padRight: 1, paddingMode: mode);
        var y = Convolve(g, [3, 2, 4, 5, 1, 20, 2, 2], [0.3f, 0.4f, 0.3f], []);
        AssertClose(expected, y, 1e-5, mode.ToString());
    }

    [Fact]
    public void Convolution_Im2ColGemm_MatchesDefinition_OnRandomGeometries()
    {
        var random = new Random(21);
        foreach (var g in RandomGeometries(seed: 22, count: 120))
        {
            int batch = random.Next(1, 3), filters = random.Next(1, 4);
            var x = Normal(random, batch * g.InputSize);
            var w = Normal(random, filters * g.PatchSize);
            var b = random.Next(2) == 0 ? [] : Normal(random, filters);
            Convolve(g, x, w, b, batch, filters);
        }
    }

    [Fact]
    public void Convolution_Pointwise_SkipsIm2ColAndMatchesDefinition()
    {
        var g = new Conv2dGeometry(5, 6, 7, 1, 1);
        Assert.Equal(0, Convolution2d.WorkspaceSize(g));
        var random = new Random(23);
        Convolve(g, Normal(random, 2 * g.InputSize), Normal(random, 4 * g.PatchSize), Normal(random, 4), batch: 2, filters: 4);
        AssertBackwardMatchesReference(g, batch: 2, filters: 4, seed: 24);
    }

    [Fact]
    public void Convolution_Backward_MatchesDefinition_OnRandomGeometries()
    {
        int seed = 30;
        foreach (var g in RandomGeometries(seed: 31, count: 80))
            AssertBackwardMatchesReference(g, batch: 1 + seed % 2, filters: 1 + seed % 3, seed: seed++);
    }

    [Fact]
    public void Convolution_Backward_AddsIntoGradients()
    {
        var g = new Conv2dGeometry(2, 5, 5, 3, 3, padding: 1, paddingMode: PaddingMode.Replicate);
        var random = new Random(40);
        var x = Normal(random, g.InputSize);
        var w = Normal(random, 3 * g.PatchSize);
        var dy = Normal(random, 3 * g.OutputPlaneSize);
        var workspace = new float[Convolution2d.WorkspaceSize(g)];
        var (dx1, dw1, db1) = (new float[g.InputSize], new float[w.Length], new float[3]);
        Convolution2d.Backward(g, 1, 3, x, w, dy, dx1, dw1, db1, workspace);
        var (dx2, dw2, db2) = ((float[])dx1.Clone(), (float[])dw1.Clone(), (float[])db1.Clone());
        Convolution2d.Backward(g, 1, 3, x, w, dy, dx2, dw2, db2, workspace);
        AssertClose(dx1.Select(v => 2 * v).ToArray(), dx2, 1e-6, "dx");
        AssertClose(dw1.Select(v => 2 * v).ToArray(), dw2, 1e-6, "dw");
        AssertClose(db1.Select(v => 2 * v).ToArray(), db2, 1e-6, "db");

        // an empty dx and dBias are skipped
        var dw3 = new float[w.Length];
        Convolution2d.Backward(g, 1, 3, x, w, dy, [], dw3, [], workspace);
        AssertClose(dw1, dw3, 1e-6, "dw without dx");
    }

    [Fact]
    public void Convolution_WrongWeightLength_Throws()
    {
        var g = new Conv2dGeometry(3, 5, 5, 3, 3);
        var e = Assert.Throws<ArgumentException>(() =>
            Convolution2d.Forward(g, 1, 4, new float[g.InputSize], new float[100], [], new float[4 * 9], new float[g.ColumnSize]));
        Assert.StartsWith("Convolution2d.Forward: expected weight (FN=4, C=3, KH=3, KW=3) = 108 elements, got 100.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convolution_SmallWorkspace_Throws()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() =>
            Convolution2d.Forward(g, 1, 1, LectureInput, LectureFilter, [], new float[4], new float[10]));
        Assert.StartsWith("Convolution2d.Forward: expected a workspace of at least 36 floats (C*KH*KW=9 × OH*OW=4), got 10.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvolutionReference_WrongBiasLength_Throws()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() =>
            Convolution2dReference.Forward(g, 1, 1, LectureInput, LectureFilter, [1f, 2f], new float[4]));
        Assert.StartsWith("Convolution2dReference.Forward: expected bias (FN=1) or empty = 1 elements, got 2.", e.Message, StringComparison.Ordinal);
    }

    private static void AssertBackwardMatchesReference(Conv2dGeometry g, int batch, int filters, int seed)
    {
        var random = new Random(seed);
        var x = Normal(random, batch * g.InputSize);
        var w = Normal(random, filters * g.PatchSize);
        var dy = Normal(random, batch * filters * g.OutputPlaneSize);
        var start = Normal(random, batch * g.InputSize);
        var (dxFast, dwFast, dbFast) = ((float[])start.Clone(), new float[w.Length], new float[filters]);
        var (dxRef, dwRef, dbRef) = ((float[])start.Clone(), new float[w.Length], new float[filters]);
        Convolution2d.Backward(g, batch, filters, x, w, dy, dxFast, dwFast, dbFast, new float[Convolution2d.WorkspaceSize(g)]);
        Convolution2dReference.Backward(g, batch, filters, x, w, dy, dxRef, dwRef, dbRef);
        AssertClose(dxRef, dxFast, 1e-4, $"dx {g}");
        AssertClose(dwRef, dwFast, 1e-4, $"dw {g}");
        AssertClose(dbRef, dbFast, 1e-4, $"db {g}");
    }

    // The batch split across threads: every chunk count gives the reference's y, dx, dw and db,
    // including uneven chunks (5 images in 3), a pointwise convolution (no col, partials only) and
    // dw/db that already hold a sum (gradients are added, chunk 0 into them, the others after).
    [Theory]
    [InlineData(5, 3, 1, 1)]
    [InlineData(5, 3, 2, 2)]
    [InlineData(5, 3, 3, 3)]
    [InlineData(4, 1, 4, 4)]
    [InlineData(7, 2, 2, 5)]
    public void Convolution_BatchSplitIntoChunks_MatchesReference(int batch, int baseFilters, int chunks, int seed)
    {
        foreach (var (g, f) in new[]
        {
            (new Conv2dGeometry(2, 7, 6, 3, 3, 2, 1, 1, 1, 1, 0), baseFilters),
            (new Conv2dGeometry(3, 5, 5, 1, 1), baseFilters),
            (new Conv2dGeometry(3, 6, 7, 3, 3, 1, 2, 1, 0, 2, 1), baseFilters),        // stride 2 across: im2col + GEMM
            (new Conv2dGeometry(2, 5, 4, 2, 3, 1, 1, 0, 1, 1, 0), baseFilters + 17),   // more filters than the direct path takes
            (new Conv2dGeometry(3, 16, 16, 3, 3, 1, 1), 8),                           // dw straight from x and dy (direct)
            (new Conv2dGeometry(2, 33, 16, 3, 3, 2, 1, 1, 0, 2, 2, 1, 2), 16),       // … taller stride, dilation 2 across
            (new Conv2dGeometry(1, 17, 21, 2, 6, 1, 1, 0, 0, 0, 0), 8),              // … two 3-tap runs per kernel row
        })
        {
            int filters = f;
            var random = new Random(seed);
            var x = Normal(random, batch * g.InputSize);
            var w = Normal(random, filters * g.PatchSize);
            var b = Normal(random, filters);
            var dy = Normal(random, batch * filters * g.OutputPlaneSize);
            var dxStart = Normal(random, x.Length);
            var dwStart = Normal(random, w.Length);
            var dbStart = Normal(random, filters);
            var workspace = new float[Convolution2d.WorkspaceSizeForChunks(g, filters, chunks, batch)];

            var y = new float[dy.Length];
            var yRef = new float[dy.Length];
            Convolution2d.Forward(g, batch, filters, x, w, b, y, workspace, chunks);
            Convolution2dReference.Forward(g, batch, filters, x, w, b, yRef);
            AssertClose(yRef, y, 1e-5, $"y {g} in {chunks} chunks");

            var (dx, dw, db) = ((float[])dxStart.Clone(), (float[])dwStart.Clone(), (float[])dbStart.Clone());
            var (dxRef, dwRef, dbRef) = ((float[])dxStart.Clone(), (float[])dwStart.Clone(), (float[])dbStart.Clone());
            Convolution2d.Backward(g, batch, filters, x, w, dy, dx, dw, db, workspace, chunks);
            Convolution2dReference.Backward(g, batch, filters, x, w, dy, dxRef, dwRef, dbRef);
            AssertClose(dxRef, dx, 1e-4, $"dx {g} in {chunks} chunks");
            AssertClose(dwRef, dw, 1e-4, $"dw {g} in {chunks} chunks");
            AssertClose(dbRef, db, 1e-4, $"db {g} in {chunks} chunks");
        }
    }

    [Fact]
    public void Convolution_SameChunks_GiveBitIdenticalGradients()
    {
        var g = new Conv2dGeometry(4, 9, 9, 3, 3, padding: 1);
        const int Batch = 6, Filters = 5;
        var random = new Random(9);
        var x = Normal(random, Batch * g.InputSize);
        var w = Normal(random, Filters * g.PatchSize);
        var dy = Normal(random, Batch * Filters * g.OutputPlaneSize);
        var workspace = new float[Convolution2d.WorkspaceSizeForChunks(g, Filters, 3, Batch)];
        float[] Gradient()
        {
            var dw = new float[w.Length];
            Convolution2d.Backward(g, Batch, Filters, x, w, dy, [], dw, new float[Filters], workspace, 3);
            return dw;
        }

        var first = Gradient();
        for (int run = 0; run < 5; run++)
            Assert.Equal(first, Gradient());
    }

    [Fact]
    public void WorkspaceSize_ForABatch_HoldsAColumnPerThreadAndPartialSums()
    {
        var g = new Conv2dGeometry(6, 14, 14, 5, 5);   // LeNet-5 conv2: col 150 × 100
        int chunks = Math.Min(64, Parallelism.MaxDegree);
        const int Group = 6;                            // 6 images × 100 pixels: the product has ≥ 512 columns
        Assert.Equal(chunks * (Group * 15000 + 16 * Group * 100) + (chunks - 1) * (16 * 150 + 16), Convolution2d.WorkspaceSize(g, 64, 16));
        Assert.Equal(15000, Convolution2d.WorkspaceSize(g, 1, 16));   // one image: no partials
    }

    [Fact]
    public void Convolution_TooManyChunksForTheWorkspace_Throws()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Convolution2d.Forward(g, 2, 1, new float[32], LectureFilter, [],
            new float[8], new float[Convolution2d.WorkspaceSize(g)], chunks: 2));
        Assert.Contains("2 chunks of a batch of 2 do not fit a workspace of 36 floats", e.Message, StringComparison.Ordinal);
    }

    // The direct (no im2col) forward tile against the reference: filter counts around its 8-filter
    // tile, odd output heights (the 2-row tile repeats the last row), widths around 16 lanes, padding
    // wider than the kernel's reach, a taller stride and dilation.
    [Theory]
    [InlineData(1, 6, 28, 28, 5, 1, 2, 2, 1)]
    [InlineData(6, 16, 14, 14, 5, 1, 0, 0, 1)]
    [InlineData(3, 5, 7, 17, 3, 1, 1, 1, 1)]
    [InlineData(2, 9, 9, 33, 3, 2, 3, 0, 2)]
    [InlineData(4, 1, 5, 16, 1, 1, 0, 2, 1)]
    [InlineData(2, 13, 6, 40, 4, 1, 2, 5, 3)]
    public unsafe void DirectForward_MatchesReference(int channels, int filters, int height, int width, int kernel, int strideHeight, int padTop, int padLeft, int dilation)
    {
        var g = new Conv2dGeometry(channels, height, width, kernel, kernel, strideHeight, 1, padTop, padTop, padLeft, padLeft, dilation, dilation);
        Assert.SkipUnless(DirectConvolution2d.Supports(g), "needs AVX-512");
        var random = new Random(filters * 31 + width);
        var x = Normal(random, g.InputSize);
        var w = Normal(random, filters * g.PatchSize);
        var b = Normal(random, filters);
        var expected = new float[filters * g.OutputPlaneSize];
        Convolution2dReference.Forward(g, 1, filters, x, w, b, expected);
        var actual = new float[expected.Length + 16];                 // the tail must stay untouched
        var packed = new float[DirectConvolution2d.PackedSize(g, filters)];
        fixed (float* pw = w, pp = packed)
            DirectConvolution2d.PackWeights(g, filters, pw, pp);
        fixed (float* px = x, pp = packed, pb = b, py = actual)
            DirectConvolution2d.ForwardImage(g, filters, px, pp, pb, py);
        AssertClose(expected, actual.AsSpan(0, expected.Length).ToArray(), 1e-5, $"direct {g}");
        Assert.All(actual[expected.Length..], v => Assert.Equal(0f, v));

        Array.Clear(actual);
        fixed (float* px = x, pp = packed, py = actual)
            DirectConvolution2d.ForwardImage(g, filters, px, pp, null, py);
        Convolution2dReference.Forward(g, 1, filters, x, w, [], expected);
        AssertClose(expected, actual.AsSpan(0, expected.Length).ToArray(), 1e-5, $"direct, no bias, {g}");
    }

    [Fact]
    public void Prefers_SmallOrFullTiles_Only()
    {
        Assert.SkipUnless(DirectConvolution2d.Supports(new Conv2dGeometry(1, 4, 4, 3, 3)), "needs AVX-512");
        Assert.True(DirectConvolution2d.Prefers(new Conv2dGeometry(6, 14, 14, 5, 5), 16));          // LeNet-5 conv2
        Assert.True(DirectConvolution2d.Prefers(new Conv2dGeometry(64, 32, 32, 3, 3, 1, 1), 64));   // full 16-lane tiles
        Assert.False(DirectConvolution2d.Prefers(new Conv2dGeometry(64, 8, 8, 3, 3, 1, 1), 64));    // half-empty tiles
        Assert.False(DirectConvolution2d.Prefers(new Conv2dGeometry(32, 15, 15, 3, 3, 1, 1), 64));  // 15 wide, 15 high: 88 %
        Assert.False(DirectConvolution2d.Prefers(new Conv2dGeometry(3, 32, 32, 3, 3, 2, 1), 8));    // stride 2 across
    }

    [Fact]
    public void PrefersWeightGradient_WholeLaneRows_WholeFilterGroups_KernelWidthOfThrees()
    {
        Assert.SkipUnless(DirectConvolution2d.Supports(new Conv2dGeometry(1, 4, 4, 3, 3)), "needs AVX-512");
        Assert.True(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(16, 32, 32, 3, 3, 1, 1), 16));   // ResNet-20, first stage
        Assert.True(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(32, 16, 16, 3, 3, 1, 1), 32));
        Assert.False(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(64, 8, 8, 3, 3, 1, 1), 64));    // 8 of 16 lanes
        Assert.False(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(16, 32, 32, 3, 3, 1, 1), 12));  // a part group
        Assert.False(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(6, 32, 32, 5, 5, 1, 2), 16));   // 5 taps across
        Assert.True(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(64, 32, 32, 3, 3, 1, 1), 64));    // 2.4 MB of lanes
        Assert.False(DirectConvolution2d.PrefersWeightGradient(new Conv2dGeometry(128, 16, 16, 3, 3, 1, 1), 128)); // 9.4 MB of lanes
    }

    // One image on the direct path: the threads split its filter groups (when there are threads to split over).
    [Fact]
    public void Convolution_OneImage_ManyFilters_MatchesReference()
    {
        var g = new Conv2dGeometry(16, 32, 32, 3, 3, 1, 1);
        const int Filters = 44;                                      // 6 groups, the last one short
        var random = new Random(44);
        var x = Normal(random, g.InputSize);
        var w = Normal(random, Filters * g.PatchSize);
        var b = Normal(random, Filters);
        var expected = new float[Filters * g.OutputPlaneSize];
        Convolution2dReference.Forward(g, 1, Filters, x, w, b, expected);
        var actual = new float[expected.Length];
        Convolution2d.Forward(g, 1, Filters, x, w, b, actual, new float[Convolution2d.WorkspaceSize(g, 1, Filters)]);
        AssertClose(expected, actual, 1e-4, g.ToString());

        // With the ReLU fused: max(y, 0), on the split path and on the GEMM path (stride 2 across).
        Convolution2d.Forward(g, 1, Filters, x, w, b, actual, new float[Convolution2d.WorkspaceSize(g, 1, Filters)], relu: true);
        AssertClose([.. expected.Select(v => Math.Max(v, 0f))], actual, 1e-4, $"{g} + ReLU");
        var strided = new Conv2dGeometry(16, 32, 32, 3, 3, 1, 2, 1, 1, 1, 1);
        var reference = new float[3 * Filters * strided.OutputPlaneSize];
        var x3 = Normal(random, 3 * strided.InputSize);
        Convolution2dReference.Forward(strided, 3, Filters, x3, w, b, reference);
        var fused = new float[reference.Length];
        Convolution2d.Forward(strided, 3, Filters, x3, w, b, fused, new float[Convolution2d.WorkspaceSize(strided, 3, Filters)], relu: true);
        AssertClose([.. reference.Select(v => Math.Max(v, 0f))], fused, 1e-4, $"{strided} + ReLU");
    }
}
