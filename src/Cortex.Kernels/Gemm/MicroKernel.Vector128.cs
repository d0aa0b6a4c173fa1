// MicroKernel.Vector128.cs — the 128-bit register tile: 4 rows × 8 columns (two Vector128 per
// row), for x64 without AVX2 (SSE) and for Arm64 (AdvSimd). Written with the portable Vector128
// API only.
//
//   c[i, j] = alpha * Σ_p a~[p*mr + i] * b~[p*ldb + j] + beta * c[i, j]     i < mr ≤ 4, j < nr ≤ 8
//
// Why 4 × 8: 8 accumulators + 2 B vectors + broadcast and temporaries fit the 16 xmm registers
// of SSE. MultiplyAddEstimate becomes one fused instruction where the hardware has one and a
// multiply plus add where it does not. A narrow tile stores its last row segment through a small
// stack buffer (no portable masked store at this width).
// Not here: packing, blocking and threads (GemmDriver), the other instruction sets.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cortex.Kernels;

internal readonly unsafe struct MicroKernelVector128 : IMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 2048;
    public static GemmPath Path => GemmPath.Vector128;
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    public static void Run(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, int count, nint bStep)
    {
        for (int tile = 0; tile < count; tile++)
            RunTile(mr, nr, kc, a, b + tile * bStep, ldb, c + tile * NR, ldc, alpha, beta);
    }

    private static void RunTile(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        switch (mr)
        {
            case 4: Tile<N4>(nr, kc, a, b, ldb, c, ldc, alpha, beta); break;
            case 3: Tile<N3>(nr, kc, a, b, ldb, c, ldc, alpha, beta); break;
            case 2: Tile<N2>(nr, kc, a, b, ldb, c, ldc, alpha, beta); break;
            case 1: Tile<N1>(nr, kc, a, b, ldb, c, ldc, alpha, beta); break;
            default: throw new ArgumentOutOfRangeException(nameof(mr), $"MicroKernelVector128: expected 1 ≤ mr ≤ 4, got {mr}.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows>(int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
        where TRows : struct, ITileConstant
    {
        // B micro-panels are always NR wide here (packed edges are zero-padded), so both vectors are live.
        Vector128<float> c0L = default, c0H = default, c1L = default, c1H = default;
        Vector128<float> c2L = default, c2H = default, c3L = default, c3H = default;
        for (int p = 0; p < kc; p++)
        {
            // acc[i, :] += a~[p, i] * b~[p, :]
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            if (TRows.Value > 0) { var ai = Vector128.Create(a[0]); c0L = Vector128.MultiplyAddEstimate(ai, b0, c0L); c0H = Vector128.MultiplyAddEstimate(ai, b1, c0H); }
            if (TRows.Value > 1) { var ai = Vector128.Create(a[1]); c1L = Vector128.MultiplyAddEstimate(ai, b0, c1L); c1H = Vector128.MultiplyAddEstimate(ai, b1, c1H); }
            if (TRows.Value > 2) { var ai = Vector128.Create(a[2]); c2L = Vector128.MultiplyAddEstimate(ai, b0, c2L); c2H = Vector128.MultiplyAddEstimate(ai, b1, c2H); }
            if (TRows.Value > 3) { var ai = Vector128.Create(a[3]); c3L = Vector128.MultiplyAddEstimate(ai, b0, c3L); c3H = Vector128.MultiplyAddEstimate(ai, b1, c3H); }
            a += TRows.Value;
            b += ldb;
        }

        if (TRows.Value > 0) StoreRow(c, c0L, c0H, nr, alpha, beta);
        if (TRows.Value > 1) StoreRow(c + ldc, c1L, c1H, nr, alpha, beta);
        if (TRows.Value > 2) StoreRow(c + 2 * ldc, c2L, c2H, nr, alpha, beta);
        if (TRows.Value > 3) StoreRow(c + 3 * ldc, c3L, c3H, nr, alpha, beta);
    }

    // c[j] = alpha * acc[j] + beta * c[j] for j < nr; beta == 0 never reads c (NaN garbage stays out).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector128<float> low, Vector128<float> high, int nr, float alpha, float beta)
    {
        if (nr == 8)
        {
            var va = Vector128.Create(alpha);
            if (beta == 0f)
            {
                Vector128.Store(low * va, c);
                Vector128.Store(high * va, c + 4);
            }
            else
            {
                var vb = Vector128.Create(beta);
                Vector128.Store(low * va + Vector128.Load(c) * vb, c);
                Vector128.Store(high * va + Vector128.Load(c + 4) * vb, c + 4);
            }
            return;
        }

        float* row = stackalloc float[8];
        Vector128.Store(low, row);
        Vector128.Store(high, row + 4);
        for (int j = 0; j < nr; j++)
            c[j] = beta == 0f ? alpha * row[j] : alpha * row[j] + beta * c[j];
    }
}
