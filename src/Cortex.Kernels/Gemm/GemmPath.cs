// GemmPath.cs — names of the instruction-set paths the GEMM dispatcher can choose between.
namespace Cortex.Kernels;

/// <summary>The instruction-set path a <see cref="Gemm"/> micro-kernel runs on.</summary>
public enum GemmPath
{
    /// <summary>Plain scalar C#: the fallback where no SIMD is accelerated.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE on x64, AdvSimd on Arm64).</summary>
    Vector128,

    /// <summary>256-bit vectors with fused multiply-add (x64 AVX2 + FMA).</summary>
    Avx2,

    /// <summary>512-bit vectors with fused multiply-add and masked edges (x64 AVX-512F).</summary>
    Avx512,
}
