// GemmPacking.cs — copies blocks of op(A) and op(B) into the contiguous, k-major micro-panels the
// micro-kernels stream through. Transposes are resolved here, so one micro-kernel serves all
// four (transposeA, transposeB) cases.
//
//   packed A block (mc × kc of op(A) from row i0, depth p0), panels of mr ≤ MR rows:
//     panel q holds a~[p*r + ii] = op(A)[i0 + q*mr + ii, p0 + p],  r = min(mr, mc − q*mr)
//     and starts at q*mr*kc, so row offset ir of the block starts at ir*kc.
//   packed B block (kc × nc of op(B) from depth p0, column j0), panels of NR columns:
//     panel q holds b~[p*NR + jj] = op(B)[p0 + p, j0 + q*NR + jj], zero for jj ≥ nr (kernels read
//     whole vectors), and starts at q*NR*kc.
//
// Why pack: the kernel then reads both operands with unit stride from L1/L2 and the transposed
// cases cost one copy instead of strided loads in the hot loop. Where a panel is a transpose of
// the stored matrix (untransposed A, transposed B) the AVX-512 path transposes 16×16 blocks in
// registers (GemmPacking.Avx512.cs); other paths copy element by element.
// Not here: when packing is skipped (GemmDriver reads an untransposed B in place).
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into panels of <paramref name="mr"/> rows at <paramref name="dst"/>.</summary>
    public static void PackA<TKernel>(in GemmProblem p, int i0, int mc, int mr, int p0, int kc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        for (int q = 0; q < mc; q += mr)
        {
            int r = Math.Min(mr, mc - q);
            float* panel = dst + (nint)q * kc;
            if (p.TransposeA)
            {
                // A is stored k×m: op(A)[i, p] = a[p*lda + i], so each k step is r contiguous floats.
                float* src = p.A + (nint)p0 * p.Lda + i0 + q;
                for (int s = 0; s < kc; s++)
                    Unsafe.CopyBlockUnaligned(panel + (nint)s * r, src + s * p.Lda, (uint)(r * sizeof(float)));
                continue;
            }

            // A is stored m×k: the panel is the transpose of r stored rows.
            float* rows = p.A + (nint)(i0 + q) * p.Lda + p0;
            int done = 0;
            if (TKernel.Path == GemmPath.Avx512)
            {
                var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(r)).AsSingle();
                for (; done + 16 <= kc; done += 16)
                    GemmPackingAvx512.Transpose16(rows + done, p.Lda, r, panel + (nint)done * r, r, mask);
            }

            for (int ii = 0; ii < r; ii++)
            {
                float* src = rows + ii * p.Lda;
                float* to = panel + ii;
                for (int s = done; s < kc; s++)
                    to[(nint)s * r] = src[s];
            }
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels at <paramref name="dst"/>.</summary>
    public static void PackB<TKernel>(in GemmProblem p, int p0, int kc, int j0, int nc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        int nrFull = TKernel.NR;
        int full = p.TransposeB ? 0 : nc / nrFull * nrFull;
        if (full > 0)
        {
            // B is stored k×n: sweep each stored row across all full panels, so the reads run
            // sequentially through memory (panel by panel, every step would start a new 4 KB page
            // when ldb is a large power of two, and the hardware prefetcher could not follow).
            for (int s = 0; s < kc; s++)
            {
                float* src = p.B + (nint)(p0 + s) * p.Ldb + j0;
                float* to = dst + (nint)s * nrFull;
                for (int q = 0; q < full; q += nrFull)
                    Unsafe.CopyBlockUnaligned(to + (nint)q * kc, src + q, (uint)(nrFull * sizeof(float)));
            }
        }

        for (int q = full; q < nc; q += nrFull)
            PackBPanel<TKernel>(p, p0, kc, j0 + q, Math.Min(nrFull, nc - q), dst + (nint)q * kc);
    }

    /// <summary>Packs one NR-column panel of op(B) (nr ≤ NR real columns, the rest zero).</summary>
    public static void PackBPanel<TKernel>(in GemmProblem p, int p0, int kc, int j0, int nr, float* panel)
        where TKernel : struct, IMicroKernel
    {
        int nrFull = TKernel.NR;
        if (p.TransposeB)
        {
            // B is stored n×k: op(B)[p, j] = b[j*ldb + p], the panel is the transpose of nr stored rows.
            float* rows = p.B + (nint)j0 * p.Ldb + p0;
            int done = 0;
            if (TKernel.Path == GemmPath.Avx512)
            {
                // Rows past nr load as zero, which is exactly the padding the panel needs.
                for (; done + 16 <= kc; done += 16)
                {
                    for (int half = 0; half < nrFull; half += 16)
                        GemmPackingAvx512.Transpose16(rows + half * p.Ldb + done, p.Ldb, Math.Clamp(nr - half, 0, 16), panel + (nint)done * nrFull + half, nrFull, Vector512<float>.AllBitsSet);
                }
            }

            for (int jj = 0; jj < nrFull; jj++)
            {
                float* src = rows + jj * p.Ldb;
                float* to = panel + jj;
                for (int s = done; s < kc; s++)
                    to[(nint)s * nrFull] = jj < nr ? src[s] : 0f;
            }
        }
        else
        {
            // B is stored k×n: each k step of the panel is a contiguous run of the stored row.
            float* src = p.B + (nint)p0 * p.Ldb + j0;
            if (nr == nrFull)
            {
                // NR is a JIT-time constant, so this copy unrolls into a few vector moves.
                for (int s = 0; s < kc; s++)
                    Unsafe.CopyBlockUnaligned(panel + (nint)s * nrFull, src + s * p.Ldb, (uint)(nrFull * sizeof(float)));
            }
            else if (TKernel.Path == GemmPath.Avx512)
            {
                // The narrow last panel (n = 100 → 4 columns): masked loads read exactly nr floats and
                // fill the rest with zeros, two vector stores per step instead of a copy plus a clear.
                Debug.Assert(nrFull == 32, "the AVX-512 tile is two vectors wide");
                var low = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(nr)).AsSingle();
                var high = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(nr - 16)).AsSingle();
                for (int s = 0; s < kc; s++)
                {
                    float* from = src + s * p.Ldb;
                    float* to = panel + (nint)s * nrFull;
                    Vector512.Store(Avx512F.MaskLoad(from, low, Vector512<float>.Zero), to);
                    Vector512.Store(Avx512F.MaskLoad(from + 16, high, Vector512<float>.Zero), to + 16);
                }
            }
            else
            {
                for (int s = 0; s < kc; s++)
                {
                    float* to = panel + (nint)s * nrFull;
                    Unsafe.CopyBlockUnaligned(to, src + s * p.Ldb, (uint)(nr * sizeof(float)));
                    new Span<float>(to + nr, nrFull - nr).Clear();
                }
            }
        }
    }
}
