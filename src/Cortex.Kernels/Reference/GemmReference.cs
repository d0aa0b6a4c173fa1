// GemmReference.cs — the naive triple loop that defines what Gemm computes. Slow on purpose:
// tests compare the fast kernel against it. Accumulates in double so it is the more exact twin.
namespace Cortex.Kernels.Reference;

/// <summary>Naive <c>C = alpha * op(A) * op(B) + beta * C</c>, row-major; the specification for <see cref="Gemm"/>.</summary>
public static class GemmReference
{
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float aip = transposeA ? a[p * lda + i] : a[i * lda + p];   // op(A)[i, p]
                    float bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j];   // op(B)[p, j]
                    sum += (double)aip * bpj;
                }
                float old = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum) + old;
            }
        }
    }
}
