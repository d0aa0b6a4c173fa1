
namespace Cortex.Kernels.Tests.Convolution;

public class Conv2dGeometryTests
{
    [Theory]
    [InlineData(4, 3, 1, 0, 2)]      // the lectures' 4×4 ⊗ 3×3 → 2×2
    [InlineData(4, 3, 1, 1, 4)]      // with padding 1 → 4×4
    [InlineData(7, 3, 1, 0, 5)]      // 7×7 ⊗ 3×3, stride 1 → 5×5
    [InlineData(7, 3, 2, 0, 3)]      // stride 2 → 3×3
    [InlineData(7, 3, 1, 1, 7)]      // padded to 9×9 → 7×7 (O = (N + 2P − F)/S + 1)
    [InlineData(227, 11, 4, 0, 55)]  // AlexNet CONV1
    [InlineData(28, 5, 1, 2, 28)]    // LeNet-5 on MNIST padded to 32×32
    [InlineData(8, 3, 2, 0, 3)]      // (8 − 3)/2 + 1 = 3.5 → floor
    public void OutputSize_FollowsTheLectureFormula(int size, int kernel, int stride, int padding, int expected)
    {
        var g = new Conv2dGeometry(1, size, size, kernel, kernel, stride, padding);
        Assert.Equal(expected, g.OutputHeight);
        Assert.Equal(expected, g.OutputWidth);
    }

    [Fact]
    public void AsymmetricPaddingAndDilation_GiveTheirOwnSizes()
    {
        var g = new Conv2dGeometry(3, 10, 6, 3, 2, 2, 1, padTop: 1, padBottom: 0, padLeft: 0, padRight: 3, dilationHeight: 2, dilationWidth: 1);
        Assert.Equal(5, g.EffectiveKernelHeight);
        Assert.Equal((10 + 1 - 5) / 2 + 1, g.OutputHeight);
        Assert.Equal(6 + 3 - 2 + 1, g.OutputWidth);
        Assert.Equal(3 * 3 * 2, g.PatchSize);
        Assert.Equal(g.PatchSize * g.OutputPlaneSize, g.ColumnSize);
        Assert.Equal(3 * 10 * 6, g.InputSize);
    }

    [Theory]
    [InlineData(7, 3, 1, 7, 1, 1)]
    [InlineData(7, 3, 2, 4, 1, 1)]
    [InlineData(8, 3, 2, 4, 0, 1)]   // odd total padding: the extra goes to the bottom/right
    [InlineData(6, 4, 1, 6, 1, 2)]
    [InlineData(5, 1, 1, 5, 0, 0)]
    public void Same_KeepsSizeOverStride(int size, int kernel, int stride, int expectedOut, int expectedBefore, int expectedAfter)
    {
        var g = Conv2dGeometry.Same(2, size, size, kernel, kernel, stride);
        Assert.Equal(expectedOut, g.OutputHeight);
        Assert.Equal(expectedOut, g.OutputWidth);
        Assert.Equal(expectedBefore, g.PadTop);
        Assert.Equal(expectedAfter, g.PadBottom);
        Assert.Equal(expectedBefore, g.PadLeft);
        Assert.Equal(expectedAfter, g.PadRight);
    }

    [Fact]
    public void Valid_HasNoPadding()
    {
        var g = Conv2dGeometry.Valid(1, 7, 7, 3, 3, stride: 2);
        Assert.False(g.IsPadded);
        Assert.Equal(3, g.OutputHeight);
    }

    [Fact]
    public void For1d_IsOneRow()
    {
        var g = Conv2dGeometry.For1d(2, 8, 3, padLeft: 1, padRight: 1, paddingMode: PaddingMode.Replicate);
        Assert.Equal(1, g.Height);
        Assert.Equal(1, g.KernelHeight);
        Assert.Equal(1, g.OutputHeight);
        Assert.Equal(8, g.OutputWidth);
        Assert.Equal(PaddingMode.Replicate, g.PaddingMode);
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(new Conv2dGeometry(1, 4, 4, 3, 3, 1, 1), new Conv2dGeometry(1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1));
        Assert.NotEqual(new Conv2dGeometry(1, 4, 4, 3, 3, padding: 1), new Conv2dGeometry(1, 4, 4, 3, 3, padding: 1, paddingMode: PaddingMode.Replicate));
        Assert.True(new Conv2dGeometry(1, 4, 4, 3, 3) == new Conv2dGeometry(1, 4, 4, 3, 3));
        Assert.False(default(Conv2dGeometry).IsInitialized);
    }

    [Fact]
    public void ToString_NamesTheGeometry()
    {
        Assert.Equal("[3, 7, 7] ⊗ 3×3, stride 2, pad 1 zero → 4×4", new Conv2dGeometry(3, 7, 7, 3, 3, 2, 1).ToString());
        Assert.Equal("[1, 4, 5] ⊗ 3×2, stride 1×2, pad (top 0, bottom 1, left 2, right 0) replicate → 3×3",
            new Conv2dGeometry(1, 4, 5, 3, 2, 1, 2, 0, 1, 2, 0, paddingMode: PaddingMode.Replicate).ToString());
    }

    [Fact]
    public void ZeroStride_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 4, 4, 3, 3, stride: 0));
        Assert.StartsWith("Conv2dGeometry: expected strideHeight ≥ 1, got 0. Stride is the step between windows", e.Message, StringComparison.Ordinal);
        Assert.Equal("strideHeight", e.ParamName);
    }

    [Fact]
    public void NegativePadding_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(1, 4, 4, 3, 3, 1, 1, 0, 0, -1, 0));
        Assert.StartsWith("Conv2dGeometry: expected padLeft ≥ 0, got -1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroChannels_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dGeometry(0, 4, 4, 3, 3));
        Assert.StartsWith("Conv2dGeometry: expected channels ≥ 1, got 0.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelLargerThanPaddedInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 4, 4, 7, 3, padding: 1));
        Assert.StartsWith(
            "Conv2dGeometry: expected a kernel no larger than the padded input 6×6 (input 4×4, padding top 1, bottom 1, left 1, right 1), got kernel 7×3. Use a smaller kernel or add padding.",
            e.Message, StringComparison.Ordinal);
        Assert.Equal("kernelHeight", e.ParamName);
    }

    [Fact]
    public void DilatedKernelLargerThanInput_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, dilationHeight: 1, dilationWidth: 3));
        Assert.Contains("got kernel 3×3 (dilated to 3×7)", e.Message, StringComparison.Ordinal);
        Assert.Equal("kernelWidth", e.ParamName);
    }

    [Fact]
    public void HugeColumnMatrix_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Conv2dGeometry(512, 4096, 4096, 3, 3, padding: 1));
        Assert.StartsWith("Conv2dGeometry: expected an im2col matrix of at most", e.Message, StringComparison.Ordinal);
    }
}
