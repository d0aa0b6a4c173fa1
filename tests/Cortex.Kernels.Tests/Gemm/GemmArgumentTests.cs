// GemmArgumentTests.cs — bad calls are refused at the entry with messages that name the matrix
// and the sizes that disagree (never an IndexOutOfRange from inside a kernel).
namespace Cortex.Kernels.Tests;


public class GemmArgumentTests
{
    [Fact]
    public void NegativeDimension_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, -1, 3, 1f, new float[6], 3, new float[3], 1, 0f, new float[2], 1));
        Assert.Contains("Gemm: dimensions must be non-negative, got m=2, n=-1, k=3.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortA_NamesMatrixAndSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 2, 3, 1f, new float[11], 3, new float[6], 2, 0f, new float[8], 2));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("Gemm: A (4×3) with row stride 3 needs 12 elements, but the span holds 11.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortTransposedB_NamesStoredShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, true, 2, 5, 3, 1f, new float[6], 3, new float[14], 3, 0f, new float[10], 5));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("Gemm: B (transposed, stored 5×3) with row stride 3 needs 15 elements, but the span holds 14.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortC_NamesMatrixAndSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 3, 4, 2, 1f, new float[6], 2, new float[8], 4, 1f, new float[13], 5));
        Assert.Equal("c", e.ParamName);
        Assert.Contains("Gemm: C (3×4) with row stride 5 needs 14 elements, but the span holds 13.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NarrowLeadingDimension_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(true, false, 3, 2, 4, 1f, new float[12], 2, new float[8], 2, 0f, new float[6], 2));
        Assert.Equal("lda", e.ParamName);
        Assert.Contains("Gemm: A (transposed, stored 4×3) needs a row stride of at least 3, got 2.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyWith_ValidatesLikeMultiply()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyWith(GemmPath.Scalar, false, false, 2, 2, 2, 1f, new float[4], 2, new float[3], 2, 0f, new float[4], 2));
        Assert.Contains("Gemm: B (2×2) with row stride 2 needs 4 elements, but the span holds 3.", e.Message, StringComparison.Ordinal);
    }
}
