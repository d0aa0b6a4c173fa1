// GemmProblem.cs — one pinned GEMM call as the blocked driver and its threads see it: pointers
// instead of spans (the spans are pinned by Gemm.Multiply for the whole call), sizes and scalars.
// Shapes as in Gemm.cs: op(A) is m×k, op(B) is k×n, C is m×n, all row-major with strides lda, ldb, ldc.
namespace Cortex.Kernels;

internal readonly unsafe struct GemmProblem(
    bool transposeA, bool transposeB, int m, int n, int k,
    float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
{
    public readonly bool TransposeA = transposeA;
    public readonly bool TransposeB = transposeB;
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly float Alpha = alpha;
    public readonly float* A = a;
    public readonly nint Lda = lda;
    public readonly float* B = b;
    public readonly nint Ldb = ldb;
    public readonly float Beta = beta;
    public readonly float* C = c;
    public readonly nint Ldc = ldc;

    /// <summary>Floating-point operations of the product: 2·m·n·k.</summary>
    public double Flops => 2.0 * M * N * K;
}
