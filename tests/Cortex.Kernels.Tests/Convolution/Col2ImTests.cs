using Cortex.Kernels.Reference;
using static Cortex.Kernels.Tests.Convolution.ConvTestData;

namespace Cortex.Kernels.Tests.Convolution;

public class Col2ImTests
{
    private static void AssertMatchesReference(Conv2dGeometry g, int seed = 1)
    {
        var random = new Random(seed);
        var col = Integers(random, g.ColumnSize);
        var start = Integers(random, g.InputSize);           // col2im adds to what is there
        var expected = (float[])start.Clone();
        var actual = (float[])start.Clone();
        Col2ImReference.Accumulate(g, col, expected);
        Col2Im.Accumulate(g, col, actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"Col2Im differs from the reference for {g}");
    }

    // Widths on both sides of the 16-pixel register block (rows gathered in a register up to 16,
    // scattered above), with a taller stride, dilation and padding wider than the kernel's reach.
    [Theory]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void Col2Im_StrideOneWidths_MatchReference(int width)
    {
        AssertMatchesReference(new Conv2dGeometry(3, 7, width, 3, 3, padding: 1));
        AssertMatchesReference(new Conv2dGeometry(2, 9, width, 3, 2, 2, 1, 1, 0, 2, 3, dilationHeight: 2, dilationWidth: 3));
        AssertMatchesReference(new Conv2dGeometry(1, 4, width, 1, 5, 1, 1, 0, 0, 6, 6));
    }

    [Fact]
    public void Col2Im_RandomGeometries_MatchReference()
    {
        foreach (var g in RandomGeometries(seed: 12, count: 400))
            AssertMatchesReference(g);
    }

    [Theory]
    [InlineData(1, PaddingMode.Zero)]
    [InlineData(1, PaddingMode.Replicate)]
    [InlineData(2, PaddingMode.Zero)]
    [InlineData(2, PaddingMode.Replicate)]
    [InlineData(3, PaddingMode.Zero)]
    [InlineData(3, PaddingMode.Replicate)]
    public void Col2Im_Strides_MatchReference(int stride, PaddingMode mode)
        => AssertMatchesReference(new Conv2dGeometry(2, 10, 9, 3, 4, stride, stride, 2, 1, 0, 3, paddingMode: mode));

    [Fact]
    public void Col2Im_IsAdjointOfIm2Col_Exactly()
    {
        // ⟨im2col(x), c⟩ == ⟨x, col2im(c)⟩; with small integers both sides are exact.
        var random = new Random(5);
        foreach (var g in RandomGeometries(seed: 13, count: 300))
        {
            var x = Integers(random, g.InputSize);
            var c = Integers(random, g.ColumnSize);
            var col = new float[g.ColumnSize];
            var dx = new float[g.InputSize];
            Im2Col.Unfold(g, x, col);
            Col2Im.Accumulate(g, c, dx);
            Assert.True(Dot(col, c) == Dot(x, dx), $"adjoint fails for {g}: {Dot(col, c)} vs {Dot(x, dx)}");
        }
    }

    [Fact]
    public void Col2Im_IsAdjointOfIm2Col_InDouble()
    {
        var random = new Random(6);
        foreach (var g in RandomGeometries(seed: 14, count: 100))
        {
            var x = Normal(random, g.InputSize);
            var c = Normal(random, g.ColumnSize);
            var col = new float[g.ColumnSize];
            var dx = new float[g.InputSize];
            Im2Col.Unfold(g, x, col);
            Col2Im.Accumulate(g, c, dx);
            double left = Dot(col, c), right = Dot(x, dx);
            Assert.True(Math.Abs(left - right) <= 1e-5 * (1 + Math.Abs(left)), $"adjoint fails for {g}: {left} vs {right}");
        }
    }

    [Fact]
    public void Col2Im_ReplicatePadding_SendsGradientToTheEdge()
    {
        // A 1×1 image padded by 1 (replicate): all 9 taps of the single 3×3 window read the one pixel,
        // so all 9 gradients land on it. With zero padding only the centre tap does.
        var replicate = new Conv2dGeometry(1, 1, 1, 3, 3, padding: 1, paddingMode: PaddingMode.Replicate);
        var dx = new float[1];
        Col2Im.Accumulate(replicate, Enumerable.Repeat(1f, 9).ToArray(), dx);
        Assert.Equal(9f, dx[0]);

        var zero = new Conv2dGeometry(1, 1, 1, 3, 3, padding: 1);
        dx[0] = 0;
        Col2Im.Accumulate(zero, Enumerable.Repeat(1f, 9).ToArray(), dx);
        Assert.Equal(1f, dx[0]);
    }

    [Fact]
    public void Col2Im_OverlappingWindows_Add()
    {
        // 3×3 input, 2×2 kernel, stride 1: the centre pixel is in all four windows.
        var g = new Conv2dGeometry(1, 3, 3, 2, 2);
        var dx = new float[9];
        Col2Im.Accumulate(g, Enumerable.Repeat(1f, g.ColumnSize).ToArray(), dx);
        Assert.Equal([1f, 2, 1, 2, 4, 2, 1, 2, 1], dx);
    }

    [Fact]
    public void Col2Im_Batch_MatchesReference()
    {
        var g = new Conv2dGeometry(2, 7, 6, 3, 3, 2, 1, 1, 2, 1, 0, paddingMode: PaddingMode.Replicate);
        const int Batch = 3;
        var random = new Random(7);
        var col = Integers(random, Batch * g.ColumnSize);
        var expected = new float[Batch * g.InputSize];
        var actual = new float[Batch * g.InputSize];
        Col2ImReference.AccumulateBatch(g, Batch, col, expected);
        Col2Im.AccumulateBatch(g, Batch, col, actual);
        Assert.Equal(expected, actual);

        // and it is the adjoint of the batched im2col
        var x = Integers(random, Batch * g.InputSize);
        var unfolded = new float[Batch * g.ColumnSize];
        Im2Col.UnfoldBatch(g, Batch, x, unfolded);
        Assert.Equal(Dot(unfolded, col), Dot(x, actual));
    }

    [Fact]
    public void Col2Im_WrongDxLength_Throws()
    {
        var g = new Conv2dGeometry(2, 5, 5, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Col2Im.Accumulate(g, new float[g.ColumnSize], new float[49]));
        Assert.StartsWith("Col2Im.Accumulate: expected dx (C=2, H=5, W=5) = 50 elements, got 49.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Col2Im_NegativeBatch_Throws()
    {
        var g = new Conv2dGeometry(1, 3, 3, 3, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Col2Im.AccumulateBatch(g, -1, new float[9], new float[9]));
        Assert.StartsWith("Col2Im.AccumulateBatch: expected a batch size ≥ 0, got -1.", e.Message, StringComparison.Ordinal);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return sum;
    }
}
