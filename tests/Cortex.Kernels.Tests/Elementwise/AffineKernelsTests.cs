namespace Cortex.Kernels.Tests.Elementwise;

public class AffineKernelsTests
{
    // Lengths that leave tails for every vector width (16, 8 and 4 floats) and the scalar loop.
    public static TheoryData<int> Lengths => [0, 1, 3, 4, 7, 15, 16, 17, 31, 37, 100, 1027];

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2))];
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScaleShift_MatchesScalar(int length)
    {
        var x = Random(length, length);
        var y = new float[length];
        AffineKernels.ScaleShift(x, 1.5f, -0.25f, y);
        for (int i = 0; i < length; i++)
            Assert.Equal(x[i] * 1.5 - 0.25, y[i], 1e-5);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScaleShift2_MatchesScalar_AndMayAliasItsInput(int length)
    {
        var u = Random(length, length + 1);
        var v = Random(length, length + 2);
        var y = new float[length];
        AffineKernels.ScaleShift2(u, 0.5f, v, -2f, 3f, y);
        for (int i = 0; i < length; i++)
            Assert.Equal(0.5 * u[i] - 2.0 * v[i] + 3.0, y[i], 1e-5);
        AffineKernels.ScaleShift2(u, 0.5f, v, -2f, 3f, u);       // y = u, in place
        Assert.Equal(y, u);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScaleShiftRelu_MatchesScalar(int length)
    {
        var x = Random(length, length + 3);
        var y = new float[length];
        AffineKernels.ScaleShiftRelu(x, 1.5f, -0.25f, y);
        for (int i = 0; i < length; i++)
            Assert.Equal(Math.Max(x[i] * 1.5 - 0.25, 0), y[i], 1e-5);
    }

    // The gate is the forward's own test: where ScaleShiftRelu wrote a positive value, dy passes.
    [Theory]
    [MemberData(nameof(Lengths))]
    public void GatedForms_PassExactlyWhereTheReluPassed(int length)
    {
        var x = Random(length, length + 4);
        var dy = Random(length, length + 5);
        const float A = 1.5f, B = -0.25f;
        var y = new float[length];
        AffineKernels.ScaleShiftRelu(x, A, B, y);
        var gated = dy.Select((d, i) => y[i] > 0f ? (double)d : 0.0).ToArray();

        var (sum, sumX) = AffineKernels.GatedSums(dy, x, A, B);
        Assert.Equal(gated.Sum(), sum, 1e-3);
        Assert.Equal(gated.Select((g, i) => g * x[i]).Sum(), sumX, 1e-3);

        var dx = new float[length];
        AffineKernels.GatedScaleShift2(dy, 0.5f, x, -2f, 3f, A, B, dx);
        for (int i = 0; i < length; i++)
            Assert.Equal(0.5 * gated[i] - 2.0 * x[i] + 3.0, dx[i], 1e-5);
    }

    [Fact]
    public void DifferentLengths_Throw()
    {
        var e = Assert.Throws<ArgumentException>(() => AffineKernels.ScaleShift2(new float[3], 1, new float[4], 1, 0, new float[3]));
        Assert.Contains("expected u, v and y of one length, got 3, 4 and 3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AffineKernels.ScaleShift(new float[3], 1, 0, new float[2]));
        Assert.Throws<ArgumentException>(() => AffineKernels.ScaleShiftRelu(new float[3], 1, 0, new float[2]));
        Assert.Throws<ArgumentException>(() => AffineKernels.GatedSums(new float[3], new float[2], 1, 0));
        Assert.Throws<ArgumentException>(() => AffineKernels.GatedScaleShift2(new float[3], 1, new float[3], 1, 0, 1, 0, new float[2]));
    }
}
