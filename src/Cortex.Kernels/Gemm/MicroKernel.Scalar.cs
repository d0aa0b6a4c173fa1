// MicroKernel.Scalar.cs — the plain C# register tile (4 × 4) for processors where no SIMD width
// is accelerated. Correct first; the compiler keeps the 16 sums in a small stack block.
//
//   c[i, j] = alpha * Σ_p a~[p*mr + i] * b~[p*ldb + j] + beta * c[i, j]     i < mr ≤ 4, j < nr ≤ 4
//
// Not here: packing, blocking and threads (GemmDriver), the SIMD instruction sets.
namespace Cortex.Kernels;

internal readonly unsafe struct MicroKernelScalar : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;
    public static GemmPath Path => GemmPath.Scalar;
    public static bool IsSupported => true;

    public static void Run(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, int count, nint bStep)
    {
        for (int tile = 0; tile < count; tile++)
            RunTile(mr, nr, kc, a, b + tile * bStep, ldb, c + tile * NR, ldc, alpha, beta);
    }

    private static void RunTile(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[4 * 4];
        for (int t = 0; t < 16; t++)
            acc[t] = 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < mr; i++)
            {
                float ai = a[i];
                for (int j = 0; j < 4; j++)
                    acc[i * 4 + j] += ai * b[j];
            }
            a += mr;
            b += ldb;
        }

        for (int i = 0; i < mr; i++)
        {
            float* row = c + i * ldc;
            for (int j = 0; j < nr; j++)
                row[j] = beta == 0f ? alpha * acc[i * 4 + j] : alpha * acc[i * 4 + j] + beta * row[j];
        }
    }
}
