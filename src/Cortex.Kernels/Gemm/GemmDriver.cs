// GemmDriver.cs — the BLIS loops around a micro-kernel and how one call is shared between
// threads. Generic over the micro-kernel, so each instruction set gets its own fully
// specialized copy with MR, NR, KC, MC, NC as JIT constants.
//
//   for jc in [0, n) step NC                          columns of C / op(B)
//     for pc in [0, k) step kc (≤ KC, equal parts)    depth; beta applies to the first block only
//       A small (m ≤ MC or m·kc ≤ 128 K floats, a quarter of L2) — "column chunks":
//         each chunk is a run of NR-column panels; the thread running it packs all of A~
//         (m × kc) once per block into its own workspace, packs the chunk's B~ panels (or reads
//         an untransposed B in place), and runs every A~ panel against each B~ panel
//       A large — "row chunks":
//         phase 1: op(B)[pc.., jc..] → B~ (kc × nc), packed by all threads, shared
//         phase 2: each chunk is a run of row panels (≤ MC rows); the thread packs those rows of
//                  A into its own A~ (stays in its L2) and runs them against every B~ panel
//           C[i.., j..] = alpha · A~ · B~ + beta' · C      (micro-kernel, MR × NR per tile)
//
// Why chunks taken by whichever thread is free (about four per thread) instead of one slab per
// thread: on a machine where a thread can be descheduled for a while, the others simply take
// more chunks instead of waiting for it. Why A~ private but B~ shared: a small A~ costs little
// to pack once per thread and then stays in that core's L2 (a shared copy would be pulled
// across cores), while a large problem's B~ is used by every row chunk.
//
// Why equal parts: k = 576 runs as 3 × 192 (not 256 + 256 + 64, a thin extra pass over C) and
// m = 16 as two 8-row panels (not 14 + 2, whose two-row tile cannot hide the FMA latency).
//
// Why read B in place: with at most two row panels (m ≤ 2·MR, e.g. the 6 or 16 output channels
// of a small convolution) each element of B is used once or twice, so packing it would cost as
// much as the multiply; an untransposed B already has the panel layout with stride ldb. Full
// panels go to the kernel eight at a time (a 5×5 convolution has k = 25: per-call overhead
// would rival the FMAs); the narrow last panel is packed (zero-padded) so nothing reads past B.
//
// A · Bᵀ with at most DotRows rows of A skips all of this: dot products of rows (DotProducts);
// a product at most 16 columns wide is computed transposed (Transposed).
//
// Threads: below MinFlopsPerThread per thread the call runs on the caller alone (waking a
// helper costs microseconds, the whole product can be less), and so does a call made from inside
// a parallel body (a convolution's batch chunk), planned as one thread's work.
// Not here: the micro-kernels (MicroKernel.*.cs), packing (GemmPacking.cs), argument checks
// (Gemm.cs), the thread pool (Threading/).
using System.Numerics.Tensors;

namespace Cortex.Kernels;

internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IMicroKernel
{
    /// <summary>A helper thread is worth waking only for at least this much work (2·m·n·k per thread).</summary>
    private const double MinFlopsPerThread = 2e6;

    /// <summary>A~ up to this many floats (512 KB, a quarter of L2) is packed whole by each thread; larger A is packed in row chunks.</summary>
    private const long SmallAFloats = 128 * 1024;

    /// <summary>Up to this many row panels, an untransposed B is read in place instead of packed.</summary>
    private const int InPlaceRowPanels = 2;

    /// <summary>Column panels of an in-place B handled by one kernel call.</summary>
    private const int InPlaceGroup = 8;

    /// <summary>Chunks per thread in the compute phase: enough to even out, few enough to stay cheap.</summary>
    private const int ChunksPerThread = 4;

    /// <summary>A column chunk packs and runs its B~ panels in groups of at most this many floats (256 KB, an eighth of L2).</summary>
    private const long PackedBGroupFloats = 64 * 1024;

    [ThreadStatic]
    private static Call? _call;

    public static GemmConfig Config { get; } = new(TKernel.Path, TKernel.MR, TKernel.NR, TKernel.KC, TKernel.MC, TKernel.NC);

    public static void Multiply(in GemmProblem p)
    {
        if (p.K == 0)
        {
            ScaleC(p);
            return;
        }

        if (p.TransposeB && !p.TransposeA && p.M <= DotRows)
        {
            DotProducts(p);
            return;
        }

        if (p.N <= NarrowColumns && p.M > NarrowColumns && p.M >= 2 * TKernel.MR)   // the transpose is not narrow again
        {
            Transposed(p);
            return;
        }

        int threads = WorkerPool.InsideBody ? 1   // a nested call runs serially: plan it as one thread's work
            : (int)Math.Min(Parallelism.MaxDegree, Math.Max(1.0, p.Flops / MinFlopsPerThread));
        var call = _call ??= new Call();
        try
        {
            call.Run(p, threads);
        }
        finally
        {
            call.Problem = default;
        }
    }

    /// <summary>Up to this many rows of A, A · Bᵀ is computed as dot products of rows instead of packed tiles.</summary>
    private const int DotRows = 4;

    // C[i, j] = alpha · (A row i) · (B row j) + beta · C[i, j]: with B transposed both operands are
    // rows, so a few rows of A (a dense layer's forward pass at batch 1–4, y = x · Wᵀ) need no
    // packing at all. Packing would copy the whole of B (the weight matrix) for a product that
    // reads it once: SimpleConvNet's 4320 → 100 layer at batch 1 took 143 µs that way.
    private static void DotProducts(in GemmProblem p)
    {
        for (int i = 0; i < p.M; i++)
        {
            var a = new ReadOnlySpan<float>(p.A + i * p.Lda, p.K);
            float* c = p.C + i * p.Ldc;
            for (int j = 0; j < p.N; j++)
            {
                float dot = TensorPrimitives.Dot(a, new ReadOnlySpan<float>(p.B + j * p.Ldb, p.K));
                c[j] = p.Beta == 0f ? p.Alpha * dot : p.Alpha * dot + p.Beta * c[j];
            }
        }
    }

    /// <summary>Up to this many columns of C (and at least two row panels), the product is computed transposed.</summary>
    private const int NarrowColumns = 16;

    [ThreadStatic]
    private static float[]? _transposed;

    // C (m × n, n ≤ 16) = alpha · op(A) op(B) + beta · C via T (n × m) = op(B)ᵀ op(A)ᵀ: a product only
    // 16 columns wide fills half of every 32-column tile, its transpose fills whole tiles (a late
    // ResNet stage at batch 1: 512 filters × 4·4 output pixels). T goes to scratch and is added back
    // transposed, which for n ≤ 16 costs a few microseconds against the product's milliseconds.
    private static void Transposed(in GemmProblem p)
    {
        int size = p.M * p.N;
        if (_transposed is null || _transposed.Length < size)
            _transposed = GC.AllocateUninitializedArray<float>(size, pinned: true);
        float* t = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _transposed[0]);
        Multiply(new GemmProblem(!p.TransposeB, !p.TransposeA, p.N, p.M, p.K, 1f, p.B, (int)p.Ldb, p.A, (int)p.Lda, 0f, t, p.M));
        for (int i = 0; i < p.M; i++)
        {
            float* c = p.C + i * p.Ldc;
            for (int j = 0; j < p.N; j++)
                c[j] = p.Beta == 0f ? p.Alpha * t[j * p.M + i] : p.Alpha * t[j * p.M + i] + p.Beta * c[j];
        }
    }

    /// <summary>The step that cuts <paramref name="length"/> into the fewest pieces of at most <paramref name="limit"/>, all within one of each other.</summary>
    private static int Balanced(int length, int limit)
    {
        int pieces = (length + limit - 1) / limit;
        return (length + pieces - 1) / pieces;
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

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

    /// <summary>
    /// One call in progress: the plan (block sizes, which operand is shared) and the current
    /// (jc, pc) block. Kept per calling thread and reused, so a call allocates nothing; helper
    /// threads only read it between the fork and join of a phase.
    /// </summary>
    private sealed class Call : IParallelWork
    {
        public GemmProblem Problem;
        private int _threads;
        private int _kcStep;        // depth of a full pc block
        private int _mr;            // rows per A panel (≤ MR, equal parts)
        private bool _columnChunks; // A small: every thread packs all of A once, chunks are column runs
        private bool _bInPlace;
        private float* _sharedB;    // B~ packed in phase 1 (row chunks only)

        // The current block.
        private long _blockId;
        private int _jc, _nc, _pc, _kc;
        private float _beta;
        private bool _packing;

        // Chunking of the current phase.
        private int _bPackChunks, _bPanelsPerPackChunk;
        private int _units, _chunks;   // column or row panels, shared out evenly between the compute chunks
        private int _groupPanels;      // B~ panels a column chunk packs at once

        public void Run(in GemmProblem p, int threads)
        {
            Problem = p;
            _threads = threads;
            _kcStep = Balanced(p.K, TKernel.KC);
            _columnChunks = p.M <= TKernel.MC || (long)p.M * _kcStep <= SmallAFloats;
            _mr = _columnChunks ? Balanced(p.M, TKernel.MR) : TKernel.MR;
            _bInPlace = !p.TransposeB && p.M <= InPlaceRowPanels * TKernel.MR;
            _sharedB = _columnChunks ? null : GemmWorkspace.Current.PackedB((nint)Math.Min(TKernel.NC, CeilDiv(p.N, TKernel.NR) * TKernel.NR) * _kcStep);

            for (_jc = 0; _jc < p.N; _jc += TKernel.NC)
            {
                _nc = Math.Min(TKernel.NC, p.N - _jc);
                int colPanels = CeilDiv(_nc, TKernel.NR);
                for (_pc = 0; _pc < p.K; _pc += _kcStep)
                {
                    _kc = Math.Min(_kcStep, p.K - _pc);
                    _beta = _pc == 0 ? p.Beta : 1f;   // later depth blocks accumulate onto the first
                    _blockId = GemmWorkspace.NextBlockId();

                    // Phase 1 (row chunks only): pack the B~ block every chunk reads.
                    if (!_columnChunks)
                    {
                        _bPackChunks = Math.Min(colPanels, 2 * threads);
                        _bPanelsPerPackChunk = CeilDiv(colPanels, _bPackChunks);
                        _packing = true;
                        Dispatch(_bPackChunks);
                    }

                    // Phase 2: the products, in chunks.
                    _units = _columnChunks ? colPanels : CeilDiv(p.M, _mr);
                    _chunks = Chunks(_units, _columnChunks ? _units : TKernel.MC / _mr, threads);
                    _groupPanels = (int)Math.Max(1, PackedBGroupFloats / ((long)TKernel.NR * _kcStep));
                    _packing = false;
                    Dispatch(_chunks);
                }
            }
        }

        // How many chunks share out `units` panels: at most `maxPerChunk` each, about ChunksPerThread per
        // thread, and a multiple of the threads so that equal chunks leave no thread a chunk behind
        // (1024² had 7 chunks of 10 row panels and one of 4: one thread ran 40 panels, the other 34).
        private static int Chunks(int units, int maxPerChunk, int threads)
        {
            int chunks = CeilDiv(units, maxPerChunk);
            if (threads == 1)
                return chunks;
            chunks = Math.Max(chunks, threads * ChunksPerThread);
            return Math.Min(units, CeilDiv(chunks, threads) * threads);
        }

        /// <summary>The first panel of compute chunk <paramref name="chunk"/>: the panels are shared out evenly (sizes differ by at most one).</summary>
        private int PanelStart(int chunk) => (int)((long)chunk * _units / _chunks);

        private void Dispatch(int tasks)
        {
            if (_threads == 1 || tasks == 1)
            {
                for (int t = 0; t < tasks; t++)
                    Execute(t);
            }
            else
            {
                Parallelism.For(tasks, this, _threads);
            }
        }

        public void Execute(int index)
        {
            if (_packing)
                PackSharedB(index);
            else if (_columnChunks)
                ComputeColumns(index);
            else
                ComputeRows(index);
        }

        private void PackSharedB(int index)
        {
            int first = index * _bPanelsPerPackChunk * TKernel.NR;
            int last = Math.Min(_nc, first + _bPanelsPerPackChunk * TKernel.NR);
            if (first < last)
                GemmPacking.PackB<TKernel>(Problem, _pc, _kc, _jc + first, last - first, _sharedB + (nint)first * _kc);
        }

        // A chunk of NR-column panels against all of A. Each thread packs A once per block into its
        // own workspace (it stays in that core's L2; sharing one copy would move it between cores)
        // and packs the chunk's B panels itself just before using them.
        private void ComputeColumns(int chunk)
        {
            ref readonly var p = ref Problem;
            var workspace = GemmWorkspace.Current;
            float* packedA = workspace.PackedA((nint)p.M * _kcStep);
            if (workspace.PackedABlock != _blockId)
            {
                GemmPacking.PackA<TKernel>(p, 0, p.M, _mr, _pc, _kc, packedA);
                workspace.PackedABlock = _blockId;
            }

            int first = PanelStart(chunk) * TKernel.NR;
            int last = Math.Min(_nc, PanelStart(chunk + 1) * TKernel.NR);
            int jr = first;
            if (_bInPlace)
            {
                // B read in place: full panels go in groups, one kernel call per row panel and group
                // (a group of B rows, kc × 8·NR, stays in L1/L2 for the second row panel).
                int fullEnd = first + (last - first) / TKernel.NR * TKernel.NR;
                for (; jr < fullEnd; jr += InPlaceGroup * TKernel.NR)
                {
                    int count = Math.Min(InPlaceGroup, (fullEnd - jr) / TKernel.NR);
                    float* bGroup = p.B + _pc * p.Ldb + _jc + jr;
                    float* cGroup = p.C + _jc + jr;
                    for (int ir = 0; ir < p.M; ir += _mr)
                        TKernel.Run(Math.Min(_mr, p.M - ir), TKernel.NR, _kc, packedA + (nint)ir * _kc, bGroup, p.Ldb, cGroup + ir * p.Ldc, p.Ldc, p.Alpha, _beta, count, TKernel.NR);
                }

                jr = fullEnd;
            }

            // The chunk's remaining panels (all of them, or the narrow last one of an in-place B), packed
            // a group at a time just before use: a group stays in L2, each panel is hot in L1 while used.
            // (One chunk holding all of a wide B, as on one thread, once packed 24 MB before using any.)
            float* packedB = jr < last ? workspace.PackedB((nint)_groupPanels * TKernel.NR * _kcStep) : null;
            while (jr < last)
            {
                int groupEnd = Math.Min(last, jr + _groupPanels * TKernel.NR);
                GemmPacking.PackB<TKernel>(p, _pc, _kc, _jc + jr, groupEnd - jr, packedB);
                for (int q = 0; jr < groupEnd; jr += TKernel.NR, q += TKernel.NR)
                {
                    int nr = Math.Min(TKernel.NR, _nc - jr);
                    float* cColumn = p.C + _jc + jr;
                    for (int ir = 0; ir < p.M; ir += _mr)
                        TKernel.Run(Math.Min(_mr, p.M - ir), nr, _kc, packedA + (nint)ir * _kc, packedB + (nint)q * _kc, TKernel.NR, cColumn + ir * p.Ldc, p.Ldc, p.Alpha, _beta, 1, 0);
                }
            }
        }

        // A chunk of row panels: pack them privately (they stay in L2), then run them against every shared B~ panel.
        private void ComputeRows(int chunk)
        {
            ref readonly var p = ref Problem;
            int i0 = PanelStart(chunk) * _mr;
            int mc = Math.Min(p.M, PanelStart(chunk + 1) * _mr) - i0;
            int mr = Balanced(mc, TKernel.MR);   // only the last chunk can be uneven: share its rows out equally
            float* packedA = GemmWorkspace.Current.PackedA((nint)TKernel.MC * _kcStep);
            GemmPacking.PackA<TKernel>(p, i0, mc, mr, _pc, _kc, packedA);
            for (int jr = 0; jr < _nc; jr += TKernel.NR)
            {
                int nr = Math.Min(TKernel.NR, _nc - jr);
                float* bPanel = _sharedB + (nint)jr * _kc;
                float* cBlock = p.C + i0 * p.Ldc + _jc + jr;
                for (int ir = 0; ir < mc; ir += mr)
                    TKernel.Run(Math.Min(mr, mc - ir), nr, _kc, packedA + (nint)ir * _kc, bPanel, TKernel.NR, cBlock + ir * p.Ldc, p.Ldc, p.Alpha, _beta, 1, 0);
            }
        }
    }
}
