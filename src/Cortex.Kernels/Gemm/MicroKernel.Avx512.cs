// MicroKernel.Avx512.cs — the AVX-512F register tile: 14 rows × 32 columns (two zmm per row).
//
//   c[i, j] = alpha * Σ_p a~[p*mr + i] * b~[p*ldb + j] + beta * c[i, j]     i < mr ≤ 14, j < nr ≤ 32
//
// Why 14 × 32: 28 accumulators + 2 B vectors + 1 broadcast fill 31 of the 32 zmm registers.
// Each k step issues 28 FMAs against 2 B loads and 14 broadcasts, so the two FMA ports stay
// busy (4-cycle latency × 2 ports needs ≥ 8 independent chains; we have 28) while the load
// ports have slack. Measured on the 2-core Xeon (AVX-512, 2 FMA ports): Vector512 reaches about
// twice the FMA rate of Vector256, so this is the path chosen wherever AVX-512F exists.
//
// Edges: a tile with fewer rows runs a kernel specialized for exactly that many rows (no wasted
// FMAs for m = 6); a tile narrower than 32 columns uses one or two vectors and masked C
// loads/stores for the last one, so nothing goes through a scratch buffer. One call can run
// several tiles side by side (`count`), for short-k products where call overhead matters.
// Not here: packing, blocking and threads (GemmDriver), the other instruction sets.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal readonly unsafe struct MicroKernelAvx512 : IMicroKernel
{
    public static int MR => 14;
    public static int NR => 32;
    public static int KC => 256;
    public static int MC => 168;
    public static int NC => 3072;
    public static GemmPath Path => GemmPath.Avx512;
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>From this depth on, a tile prefetches its C rows before the k loop (a short loop would wait for them anyway).</summary>
    private const int PrefetchDepth = 64;

    public static void Run(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, int count, nint bStep)
    {
        bool twoVectors = nr > 16;
        // Lanes of the last vector that belong to C: masked so a narrow tile never touches the columns beyond nr.
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(twoVectors ? nr - 16 : nr)).AsSingle();
        switch (mr)
        {
            case 14: if (twoVectors) Tile<N14, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N14, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 13: if (twoVectors) Tile<N13, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N13, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 12: if (twoVectors) Tile<N12, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N12, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 11: if (twoVectors) Tile<N11, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N11, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 10: if (twoVectors) Tile<N10, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N10, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 9: if (twoVectors) Tile<N9, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N9, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 8: if (twoVectors) Tile<N8, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N8, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 7: if (twoVectors) Tile<N7, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N7, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 6: if (twoVectors) Tile<N6, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N6, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 5: if (twoVectors) Tile<N5, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N5, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 4: if (twoVectors) Tile<N4, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N4, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 3: if (twoVectors) Tile<N3, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N3, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 2: if (twoVectors) Tile<N2, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N2, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            case 1: if (twoVectors) Tile<N1, N2>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); else Tile<N1, N1>(kc, a, b, ldb, c, ldc, alpha, beta, mask, count, bStep); break;
            default: throw new ArgumentOutOfRangeException(nameof(mr), $"MicroKernelAvx512: expected 1 ≤ mr ≤ 14, got {mr}.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows, TCols>(int kc, float* aPanel, float* bPanel, nint ldb, float* cTile, nint ldc, float alpha, float beta, Vector512<float> mask, int count, nint bStep)
        where TRows : struct, ITileConstant
        where TCols : struct, ITileConstant
    {
        // `count` tiles side by side: the same A panel against consecutive B panels, one call for all
        // (with a short k, as in a 5×5 convolution, the call and store overhead would rival the FMAs).
        for (int tile = 0; tile < count; tile++)
        {
            float* a = aPanel;
            float* b = bPanel + tile * bStep;
            float* c = cTile + tile * 32;
            // Fetch the C tile while the k loop runs: its rows lie a row of C apart, and on a large product
            // (2048², 16 MB of C) they are far out of cache at the store (measured there on one thread:
            // 125 → 129.5 GFLOP/s).
            if (kc >= PrefetchDepth)
            {
                for (int row = 0; row < TRows.Value; row++)
                {
                    Sse.Prefetch0(c + row * ldc);
                    if (TCols.Value > 1)
                        Sse.Prefetch0(c + row * ldc + 16);
                }
            }

            // One accumulator per (row, 16-column vector); rows ≥ TRows and the second vector when TCols is 1 are dead code.
            Vector512<float> c0L = default, c0H = default;
            Vector512<float> c1L = default, c1H = default;
            Vector512<float> c2L = default, c2H = default;
            Vector512<float> c3L = default, c3H = default;
            Vector512<float> c4L = default, c4H = default;
            Vector512<float> c5L = default, c5H = default;
            Vector512<float> c6L = default, c6H = default;
            Vector512<float> c7L = default, c7H = default;
            Vector512<float> c8L = default, c8H = default;
            Vector512<float> c9L = default, c9H = default;
            Vector512<float> c10L = default, c10H = default;
            Vector512<float> c11L = default, c11H = default;
            Vector512<float> c12L = default, c12H = default;
            Vector512<float> c13L = default, c13H = default;
            for (int p = 0; p < kc; p++)
            {
                // acc[i, :] += a~[p, i] * b~[p, :]   (broadcast one A element, FMA against the B row)
                var b0 = Vector512.Load(b);
                var b1 = TCols.Value > 1 ? Vector512.Load(b + 16) : default;
                if (TRows.Value > 0) { var ai = Vector512.Create(a[0]); c0L = Avx512F.FusedMultiplyAdd(ai, b0, c0L); if (TCols.Value > 1) c0H = Avx512F.FusedMultiplyAdd(ai, b1, c0H); }
                if (TRows.Value > 1) { var ai = Vector512.Create(a[1]); c1L = Avx512F.FusedMultiplyAdd(ai, b0, c1L); if (TCols.Value > 1) c1H = Avx512F.FusedMultiplyAdd(ai, b1, c1H); }
                if (TRows.Value > 2) { var ai = Vector512.Create(a[2]); c2L = Avx512F.FusedMultiplyAdd(ai, b0, c2L); if (TCols.Value > 1) c2H = Avx512F.FusedMultiplyAdd(ai, b1, c2H); }
                if (TRows.Value > 3) { var ai = Vector512.Create(a[3]); c3L = Avx512F.FusedMultiplyAdd(ai, b0, c3L); if (TCols.Value > 1) c3H = Avx512F.FusedMultiplyAdd(ai, b1, c3H); }
                if (TRows.Value > 4) { var ai = Vector512.Create(a[4]); c4L = Avx512F.FusedMultiplyAdd(ai, b0, c4L); if (TCols.Value > 1) c4H = Avx512F.FusedMultiplyAdd(ai, b1, c4H); }
                if (TRows.Value > 5) { var ai = Vector512.Create(a[5]); c5L = Avx512F.FusedMultiplyAdd(ai, b0, c5L); if (TCols.Value > 1) c5H = Avx512F.FusedMultiplyAdd(ai, b1, c5H); }
                if (TRows.Value > 6) { var ai = Vector512.Create(a[6]); c6L = Avx512F.FusedMultiplyAdd(ai, b0, c6L); if (TCols.Value > 1) c6H = Avx512F.FusedMultiplyAdd(ai, b1, c6H); }
                if (TRows.Value > 7) { var ai = Vector512.Create(a[7]); c7L = Avx512F.FusedMultiplyAdd(ai, b0, c7L); if (TCols.Value > 1) c7H = Avx512F.FusedMultiplyAdd(ai, b1, c7H); }
                if (TRows.Value > 8) { var ai = Vector512.Create(a[8]); c8L = Avx512F.FusedMultiplyAdd(ai, b0, c8L); if (TCols.Value > 1) c8H = Avx512F.FusedMultiplyAdd(ai, b1, c8H); }
                if (TRows.Value > 9) { var ai = Vector512.Create(a[9]); c9L = Avx512F.FusedMultiplyAdd(ai, b0, c9L); if (TCols.Value > 1) c9H = Avx512F.FusedMultiplyAdd(ai, b1, c9H); }
                if (TRows.Value > 10) { var ai = Vector512.Create(a[10]); c10L = Avx512F.FusedMultiplyAdd(ai, b0, c10L); if (TCols.Value > 1) c10H = Avx512F.FusedMultiplyAdd(ai, b1, c10H); }
                if (TRows.Value > 11) { var ai = Vector512.Create(a[11]); c11L = Avx512F.FusedMultiplyAdd(ai, b0, c11L); if (TCols.Value > 1) c11H = Avx512F.FusedMultiplyAdd(ai, b1, c11H); }
                if (TRows.Value > 12) { var ai = Vector512.Create(a[12]); c12L = Avx512F.FusedMultiplyAdd(ai, b0, c12L); if (TCols.Value > 1) c12H = Avx512F.FusedMultiplyAdd(ai, b1, c12H); }
                if (TRows.Value > 13) { var ai = Vector512.Create(a[13]); c13L = Avx512F.FusedMultiplyAdd(ai, b0, c13L); if (TCols.Value > 1) c13H = Avx512F.FusedMultiplyAdd(ai, b1, c13H); }
                a += TRows.Value;
                b += ldb;
            }

            if (TRows.Value > 0) StoreRow<TCols>(c + 0 * ldc, c0L, c0H, alpha, beta, mask);
            if (TRows.Value > 1) StoreRow<TCols>(c + 1 * ldc, c1L, c1H, alpha, beta, mask);
            if (TRows.Value > 2) StoreRow<TCols>(c + 2 * ldc, c2L, c2H, alpha, beta, mask);
            if (TRows.Value > 3) StoreRow<TCols>(c + 3 * ldc, c3L, c3H, alpha, beta, mask);
            if (TRows.Value > 4) StoreRow<TCols>(c + 4 * ldc, c4L, c4H, alpha, beta, mask);
            if (TRows.Value > 5) StoreRow<TCols>(c + 5 * ldc, c5L, c5H, alpha, beta, mask);
            if (TRows.Value > 6) StoreRow<TCols>(c + 6 * ldc, c6L, c6H, alpha, beta, mask);
            if (TRows.Value > 7) StoreRow<TCols>(c + 7 * ldc, c7L, c7H, alpha, beta, mask);
            if (TRows.Value > 8) StoreRow<TCols>(c + 8 * ldc, c8L, c8H, alpha, beta, mask);
            if (TRows.Value > 9) StoreRow<TCols>(c + 9 * ldc, c9L, c9H, alpha, beta, mask);
            if (TRows.Value > 10) StoreRow<TCols>(c + 10 * ldc, c10L, c10H, alpha, beta, mask);
            if (TRows.Value > 11) StoreRow<TCols>(c + 11 * ldc, c11L, c11H, alpha, beta, mask);
            if (TRows.Value > 12) StoreRow<TCols>(c + 12 * ldc, c12L, c12H, alpha, beta, mask);
            if (TRows.Value > 13) StoreRow<TCols>(c + 13 * ldc, c13L, c13H, alpha, beta, mask);
        }
    }

    // c[j] = alpha * acc[j] + beta * c[j] for one row: the first vector whole, the last under `mask`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TCols>(float* c, Vector512<float> low, Vector512<float> high, float alpha, float beta, Vector512<float> mask)
        where TCols : struct, ITileConstant
    {
        if (TCols.Value > 1)
        {
            Vector512.Store(Update(low, beta == 0f ? default : Vector512.Load(c), alpha, beta), c);
            Avx512F.MaskStore(c + 16, mask, Update(high, beta == 0f ? default : Avx512F.MaskLoad(c + 16, mask, default), alpha, beta));
        }
        else
        {
            Avx512F.MaskStore(c, mask, Update(low, beta == 0f ? default : Avx512F.MaskLoad(c, mask, default), alpha, beta));
        }
    }

    // beta == 0 never reads C's value into the result (0 * NaN would be NaN); beta == 1 saves a multiply.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Update(Vector512<float> acc, Vector512<float> old, float alpha, float beta)
    {
        var scaled = acc * Vector512.Create(alpha);
        if (beta == 0f)
            return scaled;
        if (beta == 1f)
            return scaled + old;
        return Avx512F.FusedMultiplyAdd(old, Vector512.Create(beta), scaled);
    }
}
