// MicroKernel.Avx2.cs — the AVX2 + FMA register tile: 6 rows × 16 columns (two ymm per row).
//
//   c[i, j] = alpha * Σ_p a~[p*mr + i] * b~[p*ldb + j] + beta * c[i, j]     i < mr ≤ 6, j < nr ≤ 16
//
// Why 6 × 16 (the BLIS Haswell shape): 12 accumulators + 2 B vectors + 1 broadcast use 15 of the
// 16 ymm registers; 12 independent FMA chains cover the 4-cycle latency of two FMA ports.
// Edges work as in the AVX-512 kernel: a row-count-specialized tile, and AVX masked
// loads/stores (vmaskmovps) for the last vector of a narrow tile.
// Not here: packing, blocking and threads (GemmDriver), the other instruction sets.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal readonly unsafe struct MicroKernelAvx2 : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 144;
    public static int NC => 3072;
    public static GemmPath Path => GemmPath.Avx2;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    public static void Run(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, int count, nint bStep)
    {
        bool twoVectors = nr > 8;
        // Lanes of the last vector that belong to C: masked so a narrow tile never touches the columns beyond nr.
        var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(twoVectors ? nr - 8 : nr)).AsSingle();
        switch (mr)
        {
            case 6: if (twoVectors) Tile<N6, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N6, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 5: if (twoVectors) Tile<N5, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N5, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 4: if (twoVectors) Tile<N4, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N4, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 3: if (twoVectors) Tile<N3, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N3, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 2: if (twoVectors) Tile<N2, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N2, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 1: if (twoVectors) Tile<N1, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N1, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            default: throw new ArgumentOutOfRangeException(nameof(mr), $"MicroKernelAvx2: expected 1 ≤ mr ≤ 6, got {mr}.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows, TCols>(int kc, float* aPanel, float* bPanel, nint ldb, float* cTile, nint ldc, float alpha, float beta, Vector256<float> mask, int count, nint bStep)
        where TRows : struct, ITileConstant
        where TCols : struct, ITileConstant
    {
        // `count` tiles side by side: the same A panel against consecutive B panels, one call for all
        // (with a short k, as in a 5×5 convolution, the call and store overhead would rival the FMAs).
        for (int tile = 0; tile < count; tile++)
        {
            float* a = aPanel;
            float* b = bPanel + tile * bStep;
            float* c = cTile + tile * 16;
            // One accumulator per (row, 8-column vector); rows ≥ TRows and the second vector when TCols is 1 are dead code.
            Vector256<float> c0L = default, c0H = default;
            Vector256<float> c1L = default, c1H = default;
            Vector256<float> c2L = default, c2H = default;
            Vector256<float> c3L = default, c3H = default;
            Vector256<float> c4L = default, c4H = default;
            Vector256<float> c5L = default, c5H = default;
            for (int p = 0; p < kc; p++)
            {
                // acc[i, :] += a~[p, i] * b~[p, :]   (broadcast one A element, FMA against the B row)
                var b0 = Vector256.Load(b);
                var b1 = TCols.Value > 1 ? Vector256.Load(b + 8) : default;
                if (TRows.Value > 0) { var ai = Vector256.Create(a[0]); c0L = Fma.MultiplyAdd(ai, b0, c0L); if (TCols.Value > 1) c0H = Fma.MultiplyAdd(ai, b1, c0H); }
                if (TRows.Value > 1) { var ai = Vector256.Create(a[1]); c1L = Fma.MultiplyAdd(ai, b0, c1L); if (TCols.Value > 1) c1H = Fma.MultiplyAdd(ai, b1, c1H); }
                if (TRows.Value > 2) { var ai = Vector256.Create(a[2]); c2L = Fma.MultiplyAdd(ai, b0, c2L); if (TCols.Value > 1) c2H = Fma.MultiplyAdd(ai, b1, c2H); }
                if (TRows.Value > 3) { var ai = Vector256.Create(a[3]); c3L = Fma.MultiplyAdd(ai, b0, c3L); if (TCols.Value > 1) c3H = Fma.MultiplyAdd(ai, b1, c3H); }
                if (TRows.Value > 4) { var ai = Vector256.Create(a[4]); c4L = Fma.MultiplyAdd(ai, b0, c4L); if (TCols.Value > 1) c4H = Fma.MultiplyAdd(ai, b1, c4H); }
                if (TRows.Value > 5) { var ai = Vector256.Create(a[5]); c5L = Fma.MultiplyAdd(ai, b0, c5L); if (TCols.Value > 1) c5H = Fma.MultiplyAdd(ai, b1, c5H); }
                a += TRows.Value;
                b += ldb;
            }

            if (TRows.Value > 0) StoreRow<TCols>(c + 0 * ldc, c0L, c0H, alpha, beta, mask);
            if (TRows.Value > 1) StoreRow<TCols>(c + 1 * ldc, c1L, c1H, alpha, beta, mask);
            if (TRows.Value > 2) StoreRow<TCols>(c + 2 * ldc, c2L, c2H, alpha, beta, mask);
            if (TRows.Value > 3) StoreRow<TCols>(c + 3 * ldc, c3L, c3H, alpha, beta, mask);
            if (TRows.Value > 4) StoreRow<TCols>(c + 4 * ldc, c4L, c4H, alpha, beta, mask);
            if (TRows.Value > 5) StoreRow<TCols>(c + 5 * ldc, c5L, c5H, alpha, beta, mask);
        }
    }

    // c[j] = alpha * acc[j] + beta * c[j] for one row: the first vector whole, the last under `mask`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TCols>(float* c, Vector256<float> low, Vector256<float> high, float alpha, float beta, Vector256<float> mask)
        where TCols : struct, ITileConstant
    {
        if (TCols.Value > 1)
        {
            Vector256.Store(Update(low, beta == 0f ? default : Vector256.Load(c), alpha, beta), c);
            Avx.MaskStore(c + 8, mask, Update(high, beta == 0f ? default : Avx.MaskLoad(c + 8, mask), alpha, beta));
        }
        else
        {
            Avx.MaskStore(c, mask, Update(low, beta == 0f ? default : Avx.MaskLoad(c, mask), alpha, beta));
        }
    }

    // beta == 0 never reads C's value into the result (0 * NaN would be NaN); beta == 1 saves a multiply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Update(Vector256<float> acc, Vector256<float> old, float alpha, float beta)
    {
        var scaled = acc * Vector256.Create(alpha);
        if (beta == 0f)
            return scaled;
        if (beta == 1f)
            return scaled + old;
        return Fma.MultiplyAdd(old, Vector256.Create(beta), scaled);
    }
}
