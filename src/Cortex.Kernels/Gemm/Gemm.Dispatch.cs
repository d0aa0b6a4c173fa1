// Gemm.Dispatch.cs — the one place that knows every micro-kernel: picks the widest instruction
// set the processor runs (AVX-512F, then AVX2 + FMA, then 128-bit vectors, then scalar), pins
// the spans and hands the call to that kernel's blocked driver.
//
// Why AVX-512 first even on cores that split 512-bit work: measured here (2-core Xeon, two
// 512-bit FMA ports) Vector512 tiles reach about twice the rate of Vector256 ones.
// DOTNET_EnableAVX512F=0 / DOTNET_EnableAVX2=0 steer this choice; tests use them to check
// every path.
namespace Cortex.Kernels;

public static partial class Gemm
{
    /// <summary>The path every <see cref="Multiply"/> call on this process uses: instruction set, tile and blocks.</summary>
    public static GemmConfig Selected { get; } = ConfigOf(SelectedPath);

    private static GemmPath SelectedPath =>
        MicroKernelAvx512.IsSupported ? GemmPath.Avx512 :
        MicroKernelAvx2.IsSupported ? GemmPath.Avx2 :
        MicroKernelVector128.IsSupported ? GemmPath.Vector128 :
        GemmPath.Scalar;

    /// <summary>Whether <paramref name="path"/> can run on this processor.</summary>
    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Avx512 => MicroKernelAvx512.IsSupported,
        GemmPath.Avx2 => MicroKernelAvx2.IsSupported,
        GemmPath.Vector128 => MicroKernelVector128.IsSupported,
        GemmPath.Scalar => MicroKernelScalar.IsSupported,
        _ => false,
    };

    /// <summary>The tile and blocks of <paramref name="path"/>.</summary>
    public static GemmConfig ConfigOf(GemmPath path) => path switch
    {
        GemmPath.Avx512 => GemmDriver<MicroKernelAvx512>.Config,
        GemmPath.Avx2 => GemmDriver<MicroKernelAvx2>.Config,
        GemmPath.Vector128 => GemmDriver<MicroKernelVector128>.Config,
        GemmPath.Scalar => GemmDriver<MicroKernelScalar>.Config,
        _ => throw new ArgumentOutOfRangeException(nameof(path), $"Gemm.ConfigOf: expected a defined GemmPath, got {path}."),
    };

    /// <summary>
    /// Like <see cref="Multiply"/>, but on the given instruction-set path instead of <see cref="Selected"/>;
    /// for tests and benchmarks that compare paths in one process.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The processor cannot run <paramref name="path"/>.</exception>
    public static void MultiplyWith(
        GemmPath path, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        if (!IsSupported(path))
            throw new PlatformNotSupportedException($"Gemm.MultiplyWith: path {path} needs instructions this processor lacks (selected path is {Selected.Path}).");
        GemmArguments.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
            return;
        Run(path, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void MultiplyCore(
        bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Run(Selected.Path, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    private static unsafe void Run(
        GemmPath path, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var problem = new GemmProblem(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            switch (path)
            {
                case GemmPath.Avx512: GemmDriver<MicroKernelAvx512>.Multiply(problem); break;
                case GemmPath.Avx2: GemmDriver<MicroKernelAvx2>.Multiply(problem); break;
                case GemmPath.Vector128: GemmDriver<MicroKernelVector128>.Multiply(problem); break;
                default: GemmDriver<MicroKernelScalar>.Multiply(problem); break;
            }
        }
    }
}
