// IMicroKernel.cs — the contract between the blocked GEMM driver and one instruction set's
// register-tiled micro-kernel. The driver (GemmDriver<TKernel>) is generic over this interface,
// so the JIT compiles one fully specialized copy of the five loops per instruction set with
// MR, NR and the block sizes as constants.
//
//   a~   packed A micro-panel: kc steps of `mr` floats (k-major, rows of op(A) contiguous per step)
//   b~   B micro-panel: kc steps of NR floats, step p at b + p*ldb (ldb = NR when packed,
//        the row stride of B when the driver reads an untransposed B in place)
//   c    C tile, row-major with row stride ldc; only mr × nr of it is touched
//
//   c[i, j] = alpha * Σ_p a~[p*mr + i] * b~[p*ldb + j] + beta * c[i, j]     i < mr, j < nr
//   (beta == 0: c is overwritten and never read, so NaN garbage in it does not leak)
//   `count` > 1 repeats this for tiles side by side: C at c + t·NR, B panel at b + t·bStep.
namespace Cortex.Kernels;

internal unsafe interface IMicroKernel
{
    /// <summary>Rows of a full register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of a full register tile (a multiple of the vector width).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block (the k extent of a micro-panel).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of op(A) packed at once (a multiple of MR).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of op(B) packed at once (a multiple of NR).</summary>
    static abstract int NC { get; }

    /// <summary>Which instruction-set path this kernel is.</summary>
    static abstract GemmPath Path { get; }

    /// <summary>Whether the running processor can execute this kernel.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>
    /// Updates <paramref name="count"/> side-by-side mr × nr tiles: tile t is C at c + t·NR, against
    /// the B panel at b + t·<paramref name="bStep"/>; 1 ≤ mr ≤ MR, 1 ≤ nr ≤ NR, kc ≥ 1, count ≥ 1.
    /// </summary>
    static abstract void Run(int mr, int nr, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, int count, nint bStep);
}
