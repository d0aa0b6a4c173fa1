// GemmPacking.cs — copies blocks of op(A) and op(B) into the contiguous, k-major micro-panels the
// micro-kernels stream through. Transposes are resolved here, so one micro-kernel serves all
// four (transposeA, transposeB) cases.
//
//   packed A block (mc × kc of op(A) from row i0, depth p0): panels of MR rows; panel q holds
//     a~[p*r + ii] = op(A)[i0 + q*MR + ii, p0 + p]   r = min(MR, mc - q*MR) (the last panel is tight)
//     and starts at q*MR*kc, so row offset ir of the block starts at ir*kc.
//   packed B block (kc × nc of op(B) from depth p0, column j0): panels of NR columns; panel q holds
//     b~[p*NR + jj] = op(B)[p0 + p, j0 + q*NR + jj], zero for jj ≥ nr (so kernels read whole vectors)
//     and starts at q*NR*kc.
//
// Why pack: the kernel then reads both operands with unit stride from L1/L2, never crosses a
// page per k step, and the transposed cases cost one copy instead of strided loads in the
// hot loop. Not here: when packing is skipped (GemmDriver reads an untransposed B in place
// when only one row panel would reuse it).
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels at <paramref name="dst"/>.</summary>
    public static void PackA<TKernel>(in GemmProblem p, int i0, int mc, int p0, int kc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        int mrFull = TKernel.MR;
        for (int q = 0; q < mc; q += mrFull)
        {
            int r = Math.Min(mrFull, mc - q);
            float* panel = dst + (nint)q * kc;
            if (p.TransposeA)
            {
                // A is stored k×m: op(A)[i, p] = a[p*lda + i], so each k step is r contiguous floats.
                float* src = p.A + (nint)p0 * p.Lda + i0 + q;
                for (int s = 0; s < kc; s++)
                    Unsafe.CopyBlockUnaligned(panel + (nint)s * r, src + s * p.Lda, (uint)(r * sizeof(float)));
            }
            else
            {
                // A is stored m×k: read each row once, contiguously, and scatter it with stride r.
                for (int ii = 0; ii < r; ii++)
                {
                    float* src = p.A + (nint)(i0 + q + ii) * p.Lda + p0;
                    float* to = panel + ii;
                    for (int s = 0; s < kc; s++)
                        to[(nint)s * r] = src[s];
                }
            }
        }
    }

    /// <summary>Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels at <paramref name="dst"/>.</summary>
    public static void PackB<TKernel>(in GemmProblem p, int p0, int kc, int j0, int nc, float* dst)
        where TKernel : struct, IMicroKernel
    {
        int nrFull = TKernel.NR;
        for (int q = 0; q < nc; q += nrFull)
            PackBPanel<TKernel>(p, p0, kc, j0 + q, Math.Min(nrFull, nc - q), dst + (nint)q * kc);
    }

    /// <summary>Packs one NR-column panel of op(B) (nr ≤ NR real columns, the rest zero).</summary>
    public static void PackBPanel<TKernel>(in GemmProblem p, int p0, int kc, int j0, int nr, float* panel)
        where TKernel : struct, IMicroKernel
    {
        int nrFull = TKernel.NR;
        if (p.TransposeB)
        {
            // B is stored n×k: op(B)[p, j] = b[j*ldb + p]; read each stored row contiguously, scatter with stride NR.
            for (int jj = 0; jj < nr; jj++)
            {
                float* src = p.B + (nint)(j0 + jj) * p.Ldb + p0;
                float* to = panel + jj;
                for (int s = 0; s < kc; s++)
                    to[(nint)s * nrFull] = src[s];
            }

            if (nr < nrFull)
            {
                for (int s = 0; s < kc; s++)
                    new Span<float>(panel + (nint)s * nrFull + nr, nrFull - nr).Clear();
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
