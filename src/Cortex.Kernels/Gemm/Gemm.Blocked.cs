// Gemm.Blocked.cs — placeholder implementation: the reference loop. To be replaced by the
// packed, register-tiled, threaded kernel.
using Cortex.Kernels.Reference;

namespace Cortex.Kernels;

public static partial class Gemm
{
    private static void MultiplyCore(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => GemmReference.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
