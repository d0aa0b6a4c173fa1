// Gemm.cs — the public entry for single-precision matrix multiplication.
//
//   C = alpha * op(A) * op(B) + beta * C        all matrices row-major
//
//   m, n, k   op(A) is m×k, op(B) is k×n, C is m×n
//   lda       row stride of A as stored: ≥ k when A is not transposed (A is m×k), ≥ m when it is (A is k×m)
//   ldb       row stride of B as stored: ≥ n when B is not transposed (B is k×n), ≥ k when it is (B is n×k)
//   ldc       row stride of C, ≥ n
//
// This file validates arguments and dispatches; the blocked, packed, threaded implementation
// lives beside it. The naive triple loop in Reference/GemmReference.cs is the specification.
namespace Cortex.Kernels;

/// <summary>Single-precision general matrix multiply on row-major spans.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Computes <c>C = alpha * op(A) * op(B) + beta * C</c> for row-major matrices.
    /// </summary>
    /// <example>
    /// <code>
    /// // (2×3) · (3×2) → (2×2)
    /// float[] a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12], c = new float[4];
    /// Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2); // c = [58, 64, 139, 154]
    /// </code>
    /// </example>
    /// <remarks>When <paramref name="beta"/> is zero, C is overwritten and its old contents (even NaN) are ignored.</remarks>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
            return;
        MultiplyCore(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
