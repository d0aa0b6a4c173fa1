// GemmArguments.cs — the argument checks shared by Gemm and its reference twin, so that a bad
// call is refused at the entry with the sizes that disagree, never deep inside a kernel.
namespace Cortex.Kernels;

internal static class GemmArguments
{
    public static void Validate(
        bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Gemm: dimensions must be non-negative, got m={m}, n={n}, k={k}.");

        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        CheckMatrix("A", aRows, aCols, aLength, lda, transposeA);
        CheckMatrix("B", bRows, bCols, bLength, ldb, transposeB);
        CheckMatrix("C", m, n, cLength, ldc, false);
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld, bool transposed)
    {
        // The description is built only on failure: a valid call allocates nothing.
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException($"ld{name.ToLowerInvariant()}", $"Gemm: {Describe(name, rows, cols, transposed)} needs a row stride of at least {Math.Max(1, cols)}, got {ld}.");
        if (rows == 0 || cols == 0)
            return;
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"Gemm: {Describe(name, rows, cols, transposed)} with row stride {ld} needs {needed} elements, but the span holds {length}.", name.ToLowerInvariant());
    }

    private static string Describe(string name, int rows, int cols, bool transposed) =>
        transposed ? $"{name} (transposed, stored {rows}×{cols})" : $"{name} ({rows}×{cols})";
}
