// GemmCase.cs — one GEMM shape to benchmark: C (m×n) = A (m×k) · B (k×n), all row-major,
// neither operand transposed, as a convolution's forward pass lowers to it:
//
//   Y (FN × OH·OW) = W (FN × C·FH·FW) · col (C·FH·FW × OH·OW)      m = FN, k = C·FH·FW, n = OH·OW
//
// For a batch, either one such GEMM per image (n = OH·OW), or the batch flattened into the
// columns of col (n = N·OH·OW) as one larger call. Both shapes are listed.
namespace Cortex.Bench.Suites;

/// <summary>A GEMM shape: <c>C[m×n] = A[m×k] · B[k×n]</c>.</summary>
/// <param name="Name">The case, e.g. <c>LeNet-5 conv2, batch 64</c>.</param>
/// <param name="M">Rows of A and C (filters, for a convolution).</param>
/// <param name="N">Columns of B and C (output pixels).</param>
/// <param name="K">Columns of A, rows of B (input channels × filter height × filter width).</param>
public sealed record GemmCase(string Name, int M, int N, int K)
{
    /// <summary>Floating-point operations of one call: a multiply and an add per term.</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>"m=… n=… k=…".</summary>
    public string Shape => $"m={M} n={N} k={K}";

    /// <summary>The cases of the <c>gemm</c> suite, cheapest first (so the speed estimate is learned on small ones).</summary>
    public static IReadOnlyList<GemmCase> Standard { get; } =
    [
        // LeNet-5 conv1: 6 filters 1×5×5 over a 32×32 image → 28×28 outputs.
        new("LeNet-5 conv1, 1 image", 6, 28 * 28, 1 * 5 * 5),
        // LeNet-5 conv2: 16 filters 6×5×5 over 6×14×14 → 10×10 outputs.
        new("LeNet-5 conv2, 1 image", 16, 10 * 10, 6 * 5 * 5),
        new("LeNet-5 conv1, batch 64", 6, 28 * 28 * 64, 1 * 5 * 5),
        new("LeNet-5 conv2, batch 64", 16, 10 * 10 * 64, 6 * 5 * 5),
        new("square 256", 256, 256, 256),
        // ResNet basic block: 64 filters 64×3×3 over 64×32×32 (padding 1) → 32×32 outputs.
        new("ResNet 3×3 64→64 32², 1 image", 64, 32 * 32, 64 * 3 * 3),
        new("square 512", 512, 512, 512),
        new("square 1024", 1024, 1024, 1024),
        new("ResNet 3×3 64→64 32², batch 32", 64, 32 * 32 * 32, 64 * 3 * 3),
        new("square 2048", 2048, 2048, 2048),
    ];
}
