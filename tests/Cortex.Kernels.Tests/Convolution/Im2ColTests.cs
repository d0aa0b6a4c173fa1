using Cortex.Kernels.Reference;
using static Cortex.Kernels.Tests.Convolution.ConvTestData;

namespace Cortex.Kernels.Tests.Convolution;

public class Im2ColTests
{
    private static readonly float[] LectureInput = [1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1];

    private static void AssertMatchesReference(Conv2dGeometry g, int seed = 1)
    {
        var x = Integers(new Random(seed), g.InputSize);
        var expected = new float[g.ColumnSize];
        var actual = new float[g.ColumnSize];
        actual.AsSpan().Fill(float.NaN);                     // every element must be written
        Im2ColReference.Unfold(g, x, expected);
        Im2Col.Unfold(g, x, actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"Im2Col differs from the reference for {g}");
    }

    // Rows of every length around the 16-lane vector, dilation, and windows hanging over both ends.
    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Im2Col_StrideOneWidths_MatchReference(int width)
    {
        AssertMatchesReference(new Conv2dGeometry(3, 7, width, 3, 3, padding: 1));
        AssertMatchesReference(new Conv2dGeometry(2, 9, width, 3, 2, 2, 1, 1, 0, 2, 3, dilationHeight: 2, dilationWidth: 3));
        AssertMatchesReference(new Conv2dGeometry(1, 4, width, 1, 5, 1, 1, 0, 0, 6, 6));
    }

    // Stride 2 across (the vector path's even-lane permute): output rows shorter than, equal to and
    // longer than 16 lanes, windows hanging over both ends, the 7×7/2 stem's padding of 3 and 1×1/2 shortcuts.
    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(70)]
    public void Im2Col_StrideTwoWidths_MatchReference(int width)
    {
        AssertMatchesReference(new Conv2dGeometry(3, 7, width, 3, 3, stride: 2, padding: 1));
        AssertMatchesReference(new Conv2dGeometry(2, 9, width, 7, 7, stride: 2, padding: 3));
        AssertMatchesReference(new Conv2dGeometry(4, 6, width, 1, 1, stride: 2));
        AssertMatchesReference(new Conv2dGeometry(1, 8, width, 2, 4, stride: 2, padding: 2));
    }

    [Fact]
    public void Im2Col_RandomGeometries_MatchReference()
    {
        foreach (var g in RandomGeometries(seed: 11, count: 400))
            AssertMatchesReference(g);
    }

    [Theory]
    [InlineData(PaddingMode.Zero)]
    [InlineData(PaddingMode.Replicate)]
    public void Im2Col_StrideOne_MatchesReference(PaddingMode mode)
        => AssertMatchesReference(new Conv2dGeometry(3, 9, 7, 3, 3, stride: 1, padding: 1, paddingMode: mode));

    [Theory]
    [InlineData(PaddingMode.Zero)]
    [InlineData(PaddingMode.Replicate)]
    public void Im2Col_StrideTwo_MatchesReference(PaddingMode mode)
        => AssertMatchesReference(new Conv2dGeometry(2, 11, 8, 3, 3, stride: 2, padding: 1, paddingMode: mode));

    [Theory]
    [InlineData(PaddingMode.Zero)]
    [InlineData(PaddingMode.Replicate)]
    public void Im2Col_StrideThree_MatchesReference(PaddingMode mode)
        => AssertMatchesReference(new Conv2dGeometry(2, 13, 10, 5, 4, stride: 3, padding: 2, paddingMode: mode));

    [Theory]
    [InlineData(PaddingMode.Zero)]
    [InlineData(PaddingMode.Replicate)]
    public void Im2Col_AsymmetricPadding_MatchesReference(PaddingMode mode)
        => AssertMatchesReference(new Conv2dGeometry(2, 5, 6, 3, 2, 1, 2, padTop: 0, padBottom: 3, padLeft: 2, padRight: 0, paddingMode: mode));

    [Fact]
    public void Im2Col_PaddingWiderThanKernel_MatchesReference()
    {
        AssertMatchesReference(new Conv2dGeometry(1, 1, 1, 3, 3, 1, 1, 5, 0, 5, 0, paddingMode: PaddingMode.Zero));
        AssertMatchesReference(new Conv2dGeometry(1, 2, 1, 3, 3, 1, 1, 0, 5, 0, 5, paddingMode: PaddingMode.Replicate));
    }

    [Fact]
    public void Im2Col_OneByOneKernel_IsTheImage()
    {
        var g = new Conv2dGeometry(3, 5, 7, 1, 1);
        var x = Integers(new Random(2), g.InputSize);
        var col = new float[g.ColumnSize];
        Im2Col.Unfold(g, x, col);
        Assert.Equal(x, col);                                 // (C, H*W) is already (C*1*1, OH*OW)
        AssertMatchesReference(new Conv2dGeometry(3, 5, 7, 1, 1, stride: 2));
    }

    [Theory]
    [InlineData(PaddingMode.Zero)]
    [InlineData(PaddingMode.Replicate)]
    public void Im2Col_KernelEqualsInput_IsOneColumn(PaddingMode mode)
    {
        var g = new Conv2dGeometry(2, 4, 5, 4, 5, paddingMode: mode);
        var x = Integers(new Random(3), g.InputSize);
        var col = new float[g.ColumnSize];
        Im2Col.Unfold(g, x, col);
        Assert.Equal(1, g.OutputPlaneSize);
        Assert.Equal(x, col);
    }

    [Fact]
    public void Im2Col_Dilation_MatchesReference()
        => AssertMatchesReference(new Conv2dGeometry(2, 9, 9, 3, 3, 1, 2, 2, 2, 2, 2, dilationHeight: 2, dilationWidth: 3, paddingMode: PaddingMode.Replicate));

    [Fact]
    public void Im2Col_LectureExample_IsTheNinePatches()
    {
        // Each column is one 3×3 window of the lectures' 4×4 input, read row by row.
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        var col = new float[g.ColumnSize];
        Im2Col.Unfold(g, LectureInput, col);
        float[] expected =
        [
            1, 2, 0, 1,
            2, 3, 1, 2,
            3, 0, 2, 3,
            0, 1, 3, 0,
            1, 2, 0, 1,
            2, 3, 1, 2,
            3, 0, 2, 3,
            0, 1, 3, 0,
            1, 2, 0, 1,
        ];
        Assert.Equal(expected, col);
    }

    [Fact]
    public void Im2Col_ReplicatePadding_RepeatsTheEdge()
    {
        // 2×2 input, 3×3 kernel, pad 1: the window at (0, 0) sees the top-left pixel repeated.
        var g = new Conv2dGeometry(1, 2, 2, 3, 3, padding: 1, paddingMode: PaddingMode.Replicate);
        float[] x = [1, 2, 3, 4];
        var col = new float[g.ColumnSize];
        Im2Col.Unfold(g, x, col);
        var firstWindow = Enumerable.Range(0, 9).Select(r => col[r * g.OutputPlaneSize]).ToArray();
        Assert.Equal([1f, 1, 2, 1, 1, 2, 3, 3, 4], firstWindow);
    }

    [Fact]
    public void Im2Col_Batch_IsPerImageColumnsSideBySide()
    {
        var g = new Conv2dGeometry(2, 6, 5, 3, 2, 2, 1, 1, 0, 0, 1, paddingMode: PaddingMode.Replicate);
        const int Batch = 3;
        var x = Integers(new Random(4), Batch * g.InputSize);
        var batched = new float[Batch * g.ColumnSize];
        var reference = new float[Batch * g.ColumnSize];
        Im2Col.UnfoldBatch(g, Batch, x, batched);
        Im2ColReference.UnfoldBatch(g, Batch, x, reference);
        Assert.Equal(reference, batched);

        int p = g.OutputPlaneSize;
        for (int n = 0; n < Batch; n++)
        {
            var single = new float[g.ColumnSize];
            Im2Col.Unfold(g, x.AsSpan(n * g.InputSize, g.InputSize), single);
            for (int r = 0; r < g.PatchSize; r++)
                Assert.True(single.AsSpan(r * p, p).SequenceEqual(batched.AsSpan(r * Batch * p + n * p, p)));
        }
    }

    [Fact]
    public void Im2Col_LongerColBuffer_WritesOnlyColumnSize()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        var col = new float[g.ColumnSize + 5];
        col.AsSpan(g.ColumnSize).Fill(-7f);
        Im2Col.Unfold(g, LectureInput, col);
        Assert.All(col[g.ColumnSize..], v => Assert.Equal(-7f, v));
    }

    [Fact]
    public void Im2Col_WrongInputLength_Throws()
    {
        var g = new Conv2dGeometry(3, 4, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Im2Col.Unfold(g, new float[47], new float[g.ColumnSize]));
        Assert.StartsWith("Im2Col.Unfold: expected x (C=3, H=4, W=4) = 48 elements, got 47.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Im2Col_ShortCol_Throws()
    {
        var g = new Conv2dGeometry(3, 4, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Im2Col.Unfold(g, new float[48], new float[100]));
        Assert.StartsWith("Im2Col.Unfold: expected col (C*KH*KW=27, OH*OW=4) of at least 108 elements, got 100.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Im2Col_DefaultGeometry_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Im2Col.Unfold(default, new float[1], new float[1]));
        Assert.StartsWith("Im2Col.Unfold: expected a Conv2dGeometry built by a constructor, got default(Conv2dGeometry).", e.Message, StringComparison.Ordinal);
    }
}
