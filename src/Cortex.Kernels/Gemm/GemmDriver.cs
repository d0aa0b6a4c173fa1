// GemmDriver.cs — the BLIS five-loop structure around a micro-kernel, and how a call is split
// across threads. Generic over the micro-kernel, so each instruction set gets its own fully
// specialized copy with MR, NR, KC, MC, NC as JIT constants.
//
//   for jc in [j0, j1) step NC                    columns of C / op(B)
//     for pc in [0, k) step KC                    depth; beta applies to the first block only
//       pack op(B)[pc.., jc..] → B~ (kc × nc)     (skipped when B is read in place, see below)
//       for ic in [i0, i1) step MC                rows of C / op(A)
//         pack op(A)[ic.., pc..] → A~ (mc × kc)   lives in L2
//         for jr step NR                          one B~ micro-panel (kc × NR), hot in L1
//           for ir step MR                        one A~ micro-panel streams from L2
//             C[ic+ir.., jc+jr..] = alpha · A~ · B~ + beta' · C      (micro-kernel)
//
// Why read B in place: when a call has only one row panel (m ≤ MR, e.g. m = 6 output channels
// of a convolution) every element of B is used exactly once, so packing it would cost as much
// as the multiply; an untransposed B is already k-major with stride ldb. Its last, narrower
// panel is still packed (zero-padded) so the kernel never reads past the matrix.
//
// Threads: products below MinFlopsPerThread per thread run on the caller only (waking a worker
// costs microseconds). Larger ones are cut into one contiguous slab per thread along whichever
// of m or n has more register tiles; each thread packs its own blocks into its own workspace,
// so threads never wait on each other (with two cores the duplicated packing of the shared
// operand is a few percent at most, cheaper than barriers).
// Not here: the micro-kernels (MicroKernel.*.cs), argument checks (Gemm.cs), the thread pool.
using System.Numerics.Tensors;

namespace Cortex.Kernels;

internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IMicroKernel
{
    /// <summary>A thread is worth waking only for at least this much work (2·m·n·k per thread).</summary>
    private const double MinFlopsPerThread = 2e6;

    [ThreadStatic]
    private static SlabJob? _job;

    public static GemmConfig Config { get; } = new(TKernel.Path, TKernel.MR, TKernel.NR, TKernel.KC, TKernel.MC, TKernel.NC);

    public static void Multiply(in GemmProblem p)
    {
        if (p.K == 0)
        {
            ScaleC(p);
            return;
        }

        int rowPanels = (p.M + TKernel.MR - 1) / TKernel.MR;
        int colPanels = (p.N + TKernel.NR - 1) / TKernel.NR;
        bool splitColumns = colPanels >= rowPanels;
        int panels = splitColumns ? colPanels : rowPanels;
        int threads = (int)Math.Min(Math.Min(Parallelism.MaxDegree, panels), Math.Max(1.0, p.Flops / MinFlopsPerThread));
        if (threads <= 1)
        {
            Block(p, 0, p.M, 0, p.N);
            return;
        }

        var job = _job ??= new SlabJob();
        job.Problem = p;
        job.Slabs = threads;
        job.Panels = panels;
        job.SplitColumns = splitColumns;
        try
        {
            Parallelism.For(threads, job);
        }
        finally
        {
            job.Problem = default;
        }
    }

    /// <summary>Runs the five loops for the block C[i0..i1, j0..j1] on the calling thread.</summary>
    private static void Block(in GemmProblem p, int i0, int i1, int j0, int j1)
    {
        int mrFull = TKernel.MR, nrFull = TKernel.NR;
        var workspace = GemmWorkspace.Current;
        bool bInPlace = !p.TransposeB && i1 - i0 <= mrFull;
        int kcMax = Math.Min(TKernel.KC, p.K);
        float* packedA = workspace.PackedA((nint)Math.Min(TKernel.MC, RoundUp(i1 - i0, mrFull)) * kcMax);
        float* packedB = workspace.PackedB((nint)(bInPlace ? nrFull : Math.Min(TKernel.NC, RoundUp(j1 - j0, nrFull))) * kcMax);

        for (int jc = j0; jc < j1; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, j1 - jc);
            for (int pc = 0; pc < p.K; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, p.K - pc);
                float beta = pc == 0 ? p.Beta : 1f;   // later depth blocks accumulate onto the first
                if (!bInPlace)
                    GemmPacking.PackB<TKernel>(p, pc, kc, jc, nc, packedB);

                for (int ic = i0; ic < i1; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, i1 - ic);
                    GemmPacking.PackA<TKernel>(p, ic, mc, pc, kc, packedA);
                    for (int jr = 0; jr < nc; jr += nrFull)
                    {
                        int nr = Math.Min(nrFull, nc - jr);
                        float* bPanel = packedB + (nint)jr * kc;
                        nint ldb = nrFull;
                        if (bInPlace)
                        {
                            if (nr == nrFull)
                            {
                                bPanel = p.B + pc * p.Ldb + jc + jr;
                                ldb = p.Ldb;
                            }
                            else
                            {
                                bPanel = packedB;
                                GemmPacking.PackBPanel<TKernel>(p, pc, kc, jc + jr, nr, bPanel);
                            }
                        }

                        float* cBlock = p.C + ic * p.Ldc + jc + jr;
                        for (int ir = 0; ir < mc; ir += mrFull)
                        {
                            TKernel.Run(Math.Min(mrFull, mc - ir), nr, kc, packedA + (nint)ir * kc, bPanel, ldb, cBlock + ir * p.Ldc, p.Ldc, p.Alpha, beta);
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // k == 0: op(A)·op(B) is the zero matrix, so C = beta · C (beta == 0 clears, ignoring NaN).
    private static void ScaleC(in GemmProblem p)
    {
        for (int i = 0; i < p.M; i++)
        {
            var row = new Span<float>(p.C + i * p.Ldc, p.N);
            if (p.Beta == 0f)
                row.Clear();
            else if (p.Beta != 1f)
                TensorPrimitives.Multiply(row, p.Beta, row);
        }
    }

    /// <summary>One thread's share of a call: a contiguous slab of row or column panels.</summary>
    private sealed class SlabJob : IParallelWork
    {
        public GemmProblem Problem;
        public int Slabs;
        public int Panels;
        public bool SplitColumns;

        public void Execute(int index)
        {
            // Slab t covers panels [t·P/T, (t+1)·P/T): sizes differ by at most one panel.
            int first = (int)((long)index * Panels / Slabs), last = (int)((long)(index + 1) * Panels / Slabs);
            ref readonly var p = ref Problem;
            if (SplitColumns)
                Block(p, 0, p.M, first * TKernel.NR, Math.Min(p.N, last * TKernel.NR));
            else
                Block(p, first * TKernel.MR, Math.Min(p.M, last * TKernel.MR), 0, p.N);
        }
    }
}
