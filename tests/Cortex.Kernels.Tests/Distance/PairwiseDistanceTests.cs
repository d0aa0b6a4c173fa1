using Cortex.Kernels.Reference;

namespace Cortex.Kernels.Tests.Distance;

// The fast pairwise distances against their naive double twins, on shapes that straddle the vector
// widths (d around 4, 8, 16), the four-row groups of y (n mod 4), the eight-row blocks of x and the
// threading threshold. GemmInstructionSetTests re-runs these with AVX-512, AVX2 or all SIMD off.
public class PairwiseDistanceTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 5, 3 }, { 3, 4, 4 }, { 7, 3, 15 }, { 8, 9, 16 }, { 9, 65, 17 },
        { 2, 63, 33 }, { 17, 130, 100 }, { 5, 7, 784 }, { 40, 70, 200 },   // the last one is threaded
    };

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble())];   // pixels in [0, 1]
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SquaredL2_MatchesDirectSum(int m, int n, int d)
    {
        float[] x = Random(m * d, m + d), y = Random(n * d, n * 7 + d);
        int ldd = n + 3;                                            // a stride wider than the row
        var dist = new float[m * ldd];
        var expected = new float[m * ldd];
        var xn = new float[m];
        var yn = new float[n];
        PairwiseDistance.RowSquaredNorms(x, m, d, xn);
        PairwiseDistance.RowSquaredNorms(y, n, d, yn);
        PairwiseDistance.SquaredL2(x, xn, m, y, yn, n, d, dist, ldd);
        PairwiseDistanceReference.SquaredL2(x, m, y, n, d, expected, ldd);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // the identity cancels: its error scales with the norms, not the distance
                double tolerance = 2e-6 * (xn[i] + yn[j]) + 1e-6;
                Assert.True(Math.Abs(expected[i * ldd + j] - dist[i * ldd + j]) <= tolerance,
                    $"({m}, {n}, {d}) at [{i}, {j}]: expected {expected[i * ldd + j]}, got {dist[i * ldd + j]}");
            }
        }
    }

    [Fact]
    public void SquaredL2_OfARowWithItself_IsZeroNotNegative()
    {
        float[] x = Random(3 * 31, 5);
        var xn = new float[3];
        PairwiseDistance.RowSquaredNorms(x, 3, 31, xn);
        var dist = new float[9];
        PairwiseDistance.SquaredL2(x, xn, 3, x, xn, 3, 31, dist, 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(dist[i * 3 + i] >= 0f);
            Assert.True(dist[i * 3 + i] < 1e-5f, $"d(x{i}, x{i}) = {dist[i * 3 + i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void L1_MatchesNaiveTwin(int m, int n, int d)
    {
        float[] x = Random(m * d, m + 2 * d), y = Random(n * d, n + 3 * d);
        int ldd = n + 1;
        var dist = new float[m * ldd];
        var expected = new float[m * ldd];
        PairwiseDistance.L1(x, m, y, n, d, dist, ldd);
        PairwiseDistanceReference.L1(x, m, y, n, d, expected, ldd);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
                Assert.Equal(expected[i * ldd + j], dist[i * ldd + j], 1e-6 * d + 1e-6);
        }
    }

    [Fact]
    public void ShortDistanceSpan_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => PairwiseDistance.L1(new float[6], 2, new float[9], 3, 3, new float[5], 3));
        Assert.Contains("expected dist of ≥ 6 floats for (2, 3) with ldd 3, got 5", ex.Message, StringComparison.Ordinal);
    }
}
