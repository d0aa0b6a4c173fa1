// GemmCase.cs — one randomized GEMM problem and the check that the fast kernel equals the
// reference twin on it. Padding columns of A, B and C (leading dimensions wider than the
// matrix) hold NaN or a sentinel, so a kernel that reads or writes outside the matrix fails.
using Cortex.Kernels.Reference;

namespace Cortex.Kernels.Tests;

internal sealed record GemmCase(bool TransposeA, bool TransposeB, int M, int N, int K, float Alpha, float Beta, int Pad = 0)
{
    private const float Sentinel = 12345.5f;

    public override string ToString() =>
        $"{(TransposeA ? "T" : "N")}{(TransposeB ? "T" : "N")} m={M} n={N} k={K} alpha={Alpha} beta={Beta} pad={Pad}";

    /// <summary>Runs <paramref name="multiply"/> and the reference on the same inputs and asserts they agree.</summary>
    public void AssertMatchesReference(GemmMultiply multiply, int seed) => AssertMatchesReference([("Gemm.Multiply", multiply)], seed);

    /// <summary>Runs each of <paramref name="multiplies"/> on the same inputs and asserts each agrees with one reference result.</summary>
    public void AssertMatchesReference(IReadOnlyList<(string Name, GemmMultiply Multiply)> multiplies, int seed)
    {
        var random = new Random(seed);
        int aRows = TransposeA ? K : M, aCols = TransposeA ? M : K;
        int bRows = TransposeB ? N : K, bCols = TransposeB ? K : N;
        int lda = Math.Max(1, aCols + Pad), ldb = Math.Max(1, bCols + Pad), ldc = Math.Max(1, N + Pad);
        float[] a = Matrix(random, aRows, aCols, lda, float.NaN);
        float[] b = Matrix(random, bRows, bCols, ldb, float.NaN);
        float[] c = Matrix(random, M, N, ldc, Sentinel);
        if (Beta == 0f)
            FillMatrix(c, M, N, ldc, float.NaN);   // beta == 0 must ignore whatever C held
        float[] original = (float[])c.Clone();
        float[] expected = (float[])c.Clone();
        GemmReference.Multiply(TransposeA, TransposeB, M, N, K, Alpha, a, lda, b, ldb, Beta, expected, ldc);
        foreach (var (name, multiply) in multiplies)
        {
            original.CopyTo(c, 0);
            multiply(TransposeA, TransposeB, M, N, K, Alpha, a, lda, b, ldb, Beta, c, ldc);
            Compare(name, c, expected, ldc);
        }
    }

    private void Compare(string name, float[] c, float[] expected, int ldc)
    {
        // Inputs lie in [-1, 1]; a float dot product of length k errs by at most ~k·eps times its magnitude.
        float tolerance = 4e-7f * (K + 8) * (Math.Abs(Alpha) + Math.Abs(Beta) + 1f);
        float worst = 0f;
        int worstIndex = -1;
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < ldc && i * ldc + j < c.Length; j++)
            {
                int index = i * ldc + j;
                if (j >= N)
                {
                    if (BitConverter.SingleToInt32Bits(c[index]) != BitConverter.SingleToInt32Bits(expected[index]))
                        Assert.Fail($"{name}, {this}: C[{i}, {j}] lies in the row padding and was changed to {c[index]}.");
                    continue;
                }

                float difference = Math.Abs(c[index] - expected[index]);
                if (!(difference <= worst))   // also catches NaN
                {
                    worst = float.IsNaN(difference) ? float.PositiveInfinity : difference;
                    worstIndex = index;
                }
            }
        }

        if (worst > tolerance)
        {
            Assert.Fail($"{name}, {this}: largest difference {worst:G4} at C[{worstIndex / ldc}, {worstIndex % ldc}] " +
                $"(got {c[worstIndex]}, reference {expected[worstIndex]}), tolerance {tolerance:G4}.");
        }
    }

    private static float[] Matrix(Random random, int rows, int cols, int ld, float padding)
    {
        int length = rows == 0 ? 0 : (rows - 1) * ld + cols;
        var data = new float[length];
        Array.Fill(data, padding);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                data[i * ld + j] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }

    private static void FillMatrix(float[] data, int rows, int cols, int ld, float value)
    {
        for (int i = 0; i < rows; i++)
            data.AsSpan(i * ld, cols).Fill(value);
    }
}

/// <summary>The shape of Gemm.Multiply, so tests can pass either the public entry or a forced path.</summary>
internal delegate void GemmMultiply(
    bool transposeA, bool transposeB, int m, int n, int k,
    float alpha, ReadOnlySpan<float> a, int lda,
    ReadOnlySpan<float> b, int ldb,
    float beta, Span<float> c, int ldc);
