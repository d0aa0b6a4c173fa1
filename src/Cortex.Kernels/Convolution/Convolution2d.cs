// Convolution2d.cs — 2-D convolution as im2col + GEMM (or direct), forward and backward, the batch split across threads.
//
//   x: (N, C, H, W)   w: (FN, C, KH, KW) = (FN, C*KH*KW) as stored   b: (FN) or empty   y: (N, FN, OH, OW)
//   per image n:   col = im2col(x[n])                                    (C*KH*KW, OH*OW)
//                  y[n] (FN, OH*OW) = w · col + b                         (bias broadcast along each row)
//   backward:      db += Σ_p dy[n][f, p]
//                  dw (FN, C*KH*KW) += dy[n] · colᵀ
//                  dx[n] += col2im(wᵀ · dy[n])
//
// All gradients are ADDED (llm.c style); clear them before the first batch. Backward recomputes
// col rather than keeping N of them. A 1×1, stride-1, unpadded convolution skips im2col: x[n]
// already is its col.
//
// Threads: the batch is cut into up to Parallelism.MaxDegree chunks of consecutive images, one
// chunk per thread, each with its own col and (backward) its own dw/db partial sums; the GEMMs
// inside a chunk run on that thread alone. Why the batch and not the GEMM: per image the GEMMs of
// a small network are a few microseconds (LeNet-5's conv2 is 16 × 100 × 150), less than a thread
// hand-off, and im2col, col2im and the bias run in parallel too. Chunk 0 adds straight into dw
// and db; the other partials are added after the join, in chunk order, so a result depends on
// the number of chunks but never on which thread ran which chunk. A batch smaller than two images,
// or a workspace sized for one chunk (WorkspaceSize(geometry)), runs image by image on the caller
// with the GEMM itself split across threads (or, on the direct path, the filter groups).
// Images with few output pixels (a late ResNet stage: 8×8 or 4×4) share their GEMMs: a chunk
// unfolds a group of them side by side (about 512 product columns) and copies each image's rows
// out of the product (forward) or gathers dy into it (backward).
// Stride-1-across convolutions whose output rows fill 16-lane vectors (32×32, 16×16 …), and few
// filters over a short patch, skip im2col in the forward pass: DirectConvolution2d.cs computes them
// from the image in registers (DirectConvolution2d.Prefers says when, with the measurements); a
// stride-1 convolution's input gradient, itself a convolution of dy, takes the same path when it fits,
// and so does dw where its output rows are whole vectors (DirectConvolution2d.WeightGradient.cs):
// lane sums per thread, summed once per chunk.
// Not here: groups (the layer calls this once per group).
// The definition is Reference/Convolution2dReference.cs.
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>2-D convolution (cross-correlation) on NCHW spans via im2col and <see cref="Gemm"/>.</summary>
/// <example><code>
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3);
/// var y = new float[2 * g.OutputPlaneSize];                           // (N=1, FN=2, 2, 2)
/// Convolution2d.Forward(g, batch: 1, filters: 2, x, w, bias, y, new float[Convolution2d.WorkspaceSize(g)]);
/// </code></example>
public static unsafe class Convolution2d
{
    [ThreadStatic]
    private static BatchWork? _work;

    /// <summary>
    /// The least scratch Forward and Backward need, in floats: one image's col, or 0 for a pointwise
    /// (1×1, stride 1, unpadded) convolution. With this much the batch runs image by image on the caller.
    /// </summary>
    public static int WorkspaceSize(in Conv2dGeometry geometry)
    {
        geometry.EnsureInitialized("Convolution2d.WorkspaceSize");
        return ColumnFloats(geometry);
    }

    /// <summary>
    /// Scratch, in floats, for Forward and Backward to split a batch of <paramref name="batch"/> images
    /// across <see cref="Parallelism.MaxDegree"/> threads: per chunk the columns of a group of images
    /// (one, or several when an image has few output pixels) and their products, and for all chunks
    /// but the first a dw and db partial sum.
    /// </summary>
    /// <exception cref="ArgumentException">The scratch would exceed a span's 2³¹ − 1 floats.</exception>
    public static int WorkspaceSize(in Conv2dGeometry geometry, int batch, int filters)
    {
        geometry.EnsureInitialized("Convolution2d.WorkspaceSize");
        int chunks = Math.Max(Math.Min(batch, Parallelism.MaxDegree), 1);
        long floats = ChunkFloats(geometry, Math.Max(filters, 1), chunks, Group(geometry, batch, chunks));
        return floats <= Array.MaxLength ? (int)floats
            : throw new ArgumentException($"Convolution2d.WorkspaceSize: {floats} floats of scratch exceed the largest array ({Array.MaxLength}); lower Parallelism.MaxDegree or the image size.");
    }

    /// <summary>
    /// y: (N, FN, OH, OW) = conv(x: (N, C, H, W), w: (FN, C, KH, KW)) + b: (FN). An empty
    /// <paramref name="bias"/> means no bias. <paramref name="workspace"/> needs at least
    /// <see cref="WorkspaceSize(in Conv2dGeometry)"/> floats; with <see cref="WorkspaceSize(in Conv2dGeometry, int, int)"/>
    /// the batch is split across threads.
    /// </summary>
    public static void Forward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> workspace)
        => Forward(geometry, batch, filters, x, weight, bias, y, workspace, chunks: null);

    /// <summary>
    /// Forward followed by y = max(y, 0) when <paramref name="relu"/> is set, applied to each image's
    /// output while it is still in cache (a ReLU fused into the convolution at inference).
    /// </summary>
    public static void Forward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> workspace, bool relu)
        => Forward(geometry, batch, filters, x, weight, bias, y, workspace, chunks: null, relu);

    /// <summary>Forward with the batch cut into exactly <paramref name="chunks"/> chunks (tests), or as many as fit when null.</summary>
    internal static void Forward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> workspace, int? chunks, bool relu = false)
    {
        const string Who = "Convolution2d.Forward";
        ValidateForward(Who, geometry, batch, filters, x.Length, weight.Length, bias.Length, y.Length);
        CheckWorkspace(Who, geometry, workspace.Length);
        CheckChunks(geometry, batch, filters, workspace.Length, chunks);
        fixed (float* px = x)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        fixed (float* py = y)
        fixed (float* ps = workspace)
        {
            var work = _work ??= new BatchWork();
            var (chunkCount, group) = Plan(geometry, batch, filters, workspace.Length, chunks);
            work.Start(geometry, batch, filters, chunkCount, group, ps);
            work.SetForward(px, pw, bias.IsEmpty ? null : pb, py, relu);
            work.Run();
        }
    }

    /// <summary>
    /// Given dy: (N, FN, OH, OW), ADDS dL/dx into <paramref name="dx"/> (N, C, H, W), dL/dw into
    /// <paramref name="dWeight"/> (FN, C, KH, KW) and dL/db into <paramref name="dBias"/> (FN).
    /// An empty <paramref name="dx"/> (the first layer) or <paramref name="dBias"/> (no bias) is skipped.
    /// </summary>
    public static void Backward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, Span<float> workspace)
        => Backward(geometry, batch, filters, x, weight, dy, dx, dWeight, dBias, workspace, chunks: null);

    /// <summary>Backward with the batch cut into exactly <paramref name="chunks"/> chunks (tests), or as many as fit when null.</summary>
    internal static void Backward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias, Span<float> workspace, int? chunks)
    {
        const string Who = "Convolution2d.Backward";
        ValidateBackward(Who, geometry, batch, filters, x.Length, weight.Length, dy.Length, dx.Length, dWeight.Length, dBias.Length);
        CheckWorkspace(Who, geometry, workspace.Length);
        CheckChunks(geometry, batch, filters, workspace.Length, chunks);
        fixed (float* px = x)
        fixed (float* pw = weight)
        fixed (float* pdy = dy)
        fixed (float* pdx = dx)
        fixed (float* pdw = dWeight)
        fixed (float* pdb = dBias)
        fixed (float* ps = workspace)
        {
            var work = _work ??= new BatchWork();
            var (chunkCount, group) = Plan(geometry, batch, filters, workspace.Length, chunks);
            work.Start(geometry, batch, filters, chunkCount, group, ps);
            work.SetBackward(px, pw, pdy, dx.IsEmpty ? null : pdx, pdw, dBias.IsEmpty ? null : pdb);
            work.Run();
        }
    }

    private static int ColumnFloats(in Conv2dGeometry g) => IsPointwise(g) ? 0 : g.ColumnSize;

    /// <summary>The scratch for exactly <paramref name="chunks"/> chunks of a batch of <paramref name="batch"/> (tests).</summary>
    internal static int WorkspaceSizeForChunks(in Conv2dGeometry g, int filters, int chunks, int batch) =>
        checked((int)ChunkFloats(g, filters, chunks, Group(g, batch, chunks)));

    private static void CheckChunks(in Conv2dGeometry g, int batch, int filters, int workspaceLength, int? chunks)
    {
        if (chunks is { } c && (c < 1 || c > Math.Max(batch, 1) || ChunkFloats(g, filters, c, 1) > workspaceLength))
            throw new ArgumentOutOfRangeException(nameof(chunks), c, $"Convolution2d: {c} chunks of a batch of {batch} do not fit a workspace of {workspaceLength} floats.");
    }

    /// <summary>
    /// Images whose columns share one GEMM: enough that the product has about 512 columns (an image
    /// of a late ResNet stage has 16 or 64 output pixels; a GEMM that narrow wastes most of its
    /// 32-column tile, and every call packs the filters again), at most the images of one chunk, at
    /// most 32. Measured forward at batch 64 on 2 threads, 256 → 512 columns: ResNet-18's 512→512 at
    /// 4×4 28.3 → 20.6 ms, 128→128 at 16×16 22.0 → 18.1 ms; 1024 gained nothing more.
    /// </summary>
    private static int Group(in Conv2dGeometry g, int batch, int chunks)
    {
        int perChunk = (Math.Max(batch, 1) + chunks - 1) / chunks;
        int wanted = (MinimumProductColumns + g.OutputPlaneSize - 1) / g.OutputPlaneSize;
        return Math.Clamp(Math.Min(wanted, perChunk), 1, 32);
    }

    private const int MinimumProductColumns = 512;

    /// <summary>One chunk's scratch: a col (0 when pointwise), or for a group the group's col and its (FN × group·OH·OW) product.</summary>
    private static long ChunkScratch(in Conv2dGeometry g, int filters, int group) =>
        group == 1 ? ColumnFloats(g) : (long)group * g.ColumnSize + (long)filters * group * g.OutputPlaneSize;

    private static long ChunkFloats(in Conv2dGeometry g, int filters, int chunks, int group) =>
        chunks * ChunkScratch(g, filters, group) + (long)(chunks - 1) * (filters * (long)g.PatchSize + filters);

    /// <summary>
    /// How the batch is cut: one chunk per thread (or exactly <paramref name="chunks"/>), as many as the
    /// workspace holds, with images grouped per GEMM when the workspace has room for it.
    /// </summary>
    private static (int Chunks, int Group) Plan(in Conv2dGeometry g, int batch, int filters, int workspaceLength, int? chunks)
    {
        int count = chunks ?? Math.Max(Math.Min(batch, Parallelism.MaxDegree), 1);
        while (true)
        {
            int group = Group(g, batch, count);
            if (ChunkFloats(g, filters, count, group) <= workspaceLength)
                return (count, group);
            if (ChunkFloats(g, filters, count, 1) <= workspaceLength || chunks is not null || count == 1)
                return (count, 1);
            count--;
        }
    }

    /// <summary>
    /// One Forward or Backward call: its pointers and geometry, and the chunk loop Parallelism.For
    /// runs. Kept per calling thread and reused, so a call allocates nothing.
    /// </summary>
    private sealed class BatchWork : IParallelWork
    {
        private Conv2dGeometry _g;
        private int _batch, _filters, _chunks, _group;
        private int _splitFilters;                // > 0: a direct forward split into this many filter-group chunks
        private bool _relu;                       // forward: y = max(y, 0) per image, while it is in cache
        private bool _backward;
        private float* _x, _weight, _bias, _y, _dy, _dx, _dWeight, _dBias, _workspace;
        private float[] _packed = [];          // the direct path's packed filters (pinned, reused)
        private float* _packedWeights;         // into _packed while a direct forward runs, else null
        private float[] _flipped = [];         // the input gradient's filters, transposed and flipped, before packing
        private float[] _packedT = [];         // … packed (pinned, reused)
        private float* _packedGradient;        // into _packedT while a direct input gradient runs, else null
        private Conv2dGeometry _gradientGeometry;

        public void Start(in Conv2dGeometry g, int batch, int filters, int chunks, int group, float* workspace)
        {
            _g = g;
            _batch = batch;
            _filters = filters;
            _chunks = chunks;
            _group = group;
            _workspace = workspace;
        }

        public void SetForward(float* x, float* weight, float* bias, float* y, bool relu)
        {
            _backward = false;
            _relu = relu;
            _packedWeights = null;
            if (DirectConvolution2d.Prefers(_g, _filters))
            {
                int size = DirectConvolution2d.PackedSize(_g, _filters);
                if (_packed.Length < size)
                    _packed = GC.AllocateUninitializedArray<float>(size, pinned: true);   // pinned: kept as a pointer
                _packedWeights = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _packed[0]);
                DirectConvolution2d.PackWeights(_g, _filters, weight, _packedWeights);
            }
            _x = x;
            _weight = weight;
            _bias = bias;
            _y = y;
        }

        public void SetBackward(float* x, float* weight, float* dy, float* dx, float* dWeight, float* dBias)
        {
            _backward = true;
            _packedGradient = null;
            if (dx is not null && DirectConvolution2d.TryTransposedGeometry(_g, _filters, out var transposed) &&
                DirectConvolution2d.Prefers(transposed, _g.Channels))
            {
                // dx = conv(dy, flipped wᵀ) straight from dy, instead of dcol = wᵀ · dy and col2im.
                int size = _filters * _g.PatchSize;
                if (_flipped.Length < size)
                    _flipped = new float[size];
                int packedSize = DirectConvolution2d.PackedSize(transposed, _g.Channels);
                if (_packedT.Length < packedSize)
                    _packedT = GC.AllocateUninitializedArray<float>(packedSize, pinned: true);   // pinned: kept as a pointer
                _packedGradient = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _packedT[0]);
                fixed (float* flipped = _flipped)
                {
                    DirectConvolution2d.TransposeFilters(_g, _filters, weight, flipped);
                    DirectConvolution2d.PackWeights(transposed, _g.Channels, flipped, _packedGradient);
                }
                _gradientGeometry = transposed;
            }
            _x = x;
            _weight = weight;
            _dy = dy;
            _dx = dx;
            _dWeight = dWeight;
            _dBias = dBias;
        }

        public void Run()
        {
            try
            {
                _splitFilters = 0;
                if (_chunks == 1 && !_backward && _packedWeights is not null && SplitsFilters())
                    Parallelism.For(_splitFilters, this);        // one image (or a few): threads take filter groups
                else if (_chunks == 1)
                    Execute(0);
                else
                    Parallelism.For(_chunks, this);
                if (_backward)
                    AddPartials();
            }
            finally
            {
                _x = _weight = _bias = _y = _dy = _dx = _dWeight = _dBias = _workspace = _packedWeights = _packedGradient = null;
            }
        }

        private static void Relu(Span<float> y) => TensorPrimitives.Max(y, 0f, y);

        // A direct forward of fewer images than threads is split by filter groups instead of images,
        // when there are enough groups and the work pays for a hand-off (2·10⁶ FLOP per thread).
        private bool SplitsFilters()
        {
            int threads = Parallelism.MaxDegree, groups = DirectConvolution2d.GroupCount(_filters);
            double flops = 2.0 * _batch * _filters * _g.PatchSize * _g.OutputPlaneSize;
            if (threads < 2 || groups < 2 || flops < 2e6 * threads || WorkerPool.InsideBody)
                return false;
            _splitFilters = Math.Min(groups, 2 * threads);
            return true;
        }

        public void Execute(int chunk)
        {
            if (_splitFilters > 0)
            {
                int groups = DirectConvolution2d.GroupCount(_filters);
                int firstGroup = (int)((long)chunk * groups / _splitFilters), endGroup = (int)((long)(chunk + 1) * groups / _splitFilters);
                int inputSize = _g.InputSize, outputSize = _filters * _g.OutputPlaneSize;
                int plane = _g.OutputPlaneSize, firstFilter = firstGroup * DirectConvolution2d.FiltersPerGroup, endFilter = Math.Min(_filters, endGroup * DirectConvolution2d.FiltersPerGroup);
                for (int n = 0; n < _batch; n++)
                {
                    DirectConvolution2d.ForwardImage(_g, _filters, _x + (nint)n * inputSize, _packedWeights, _bias, _y + (nint)n * outputSize, false, firstGroup, endGroup);
                    if (_relu && endFilter > firstFilter)
                        Relu(new Span<float>(_y + (nint)n * outputSize + (nint)firstFilter * plane, (endFilter - firstFilter) * plane));
                }
                return;
            }

            int first = (int)((long)chunk * _batch / _chunks), last = (int)((long)(chunk + 1) * _batch / _chunks);
            float* scratch = _workspace + (nint)chunk * ChunkScratch(_g, _filters, _group);
            if (_backward)
                BackwardGroups(first, last, scratch, chunk);
            else if (_packedWeights is not null)
                ForwardDirect(first, last);                                 // the direct path needs no columns
            else
                ForwardGroups(first, last, scratch);
        }

        private void ForwardDirect(int first, int last)
        {
            int inputSize = _g.InputSize, outputSize = _filters * _g.OutputPlaneSize;
            for (int n = first; n < last; n++)
            {
                DirectConvolution2d.ForwardImage(_g, _filters, _x + (nint)n * inputSize, _packedWeights, _bias, _y + (nint)n * outputSize);
                if (_relu)
                    Relu(new Span<float>(_y + (nint)n * outputSize, outputSize));
            }
        }

        // Images [first, last) in groups of _group: the group's columns side by side, col (K × group·P),
        // one GEMM Yg (FN × group·P) = w · col, then each image's rows copied out with the bias added.
        // A group of one writes straight into y (the bias is then added in place), and a pointwise
        // convolution's single image is its own col.
        private void ForwardGroups(int first, int last, float* scratch)
        {
            ref readonly var g = ref _g;
            int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputPlaneSize, filters = _filters, outputSize = filters * p;
            bool pointwise = IsPointwise(g);
            float* col = scratch, product = scratch + (nint)_group * g.ColumnSize;
            var weight = new ReadOnlySpan<float>(_weight, filters * k);
            for (int n0 = first; n0 < last; n0 += _group)
            {
                int count = Math.Min(_group, last - n0), columns = count * p;
                var images = new ReadOnlySpan<float>(_x + (nint)n0 * inputSize, count * inputSize);
                ReadOnlySpan<float> cols = images;
                if (count > 1 || !pointwise)
                {
                    var unfolded = new Span<float>(col, k * columns);
                    Im2Col.UnfoldBatch(g, count, images, unfolded);
                    cols = unfolded;
                }
                var yg = count == 1 ? new Span<float>(_y + (nint)n0 * outputSize, outputSize) : new Span<float>(product, filters * columns);
                Gemm.Multiply(false, false, filters, columns, k, 1f, weight, k, cols, columns, 0f, yg, columns);   // Yg = w · col
                for (int j = 0; j < count; j++)
                {
                    var yn = new Span<float>(_y + (nint)(n0 + j) * outputSize, outputSize);
                    for (int f = 0; f < filters; f++)
                    {
                        var source = yg.Slice(f * columns + j * p, p);
                        var row = yn.Slice(f * p, p);
                        if (_bias is not null)
                            TensorPrimitives.Add(source, _bias[f], row);                     // y[f, :] = (w · col)[f, :] + b[f]
                        else if (count > 1)
                            source.CopyTo(row);
                    }
                    if (_relu)
                        Relu(yn);
                }
            }
        }

        // The backward in groups: dy of the group gathered as dyg (FN × group·P); dw += dyg · colᵀ;
        // dcol = wᵀ · dyg; dx += col2im of each image's columns. A group of one reads dy in place, and a
        // pointwise convolution's single image is its own col (dx += wᵀ · dy, no col2im).
        private void BackwardGroups(int first, int last, float* scratch, int chunk)
        {
            ref readonly var g = ref _g;
            int inputSize = g.InputSize, k = g.PatchSize, p = g.OutputPlaneSize, filters = _filters, outputSize = filters * p;
            bool pointwise = IsPointwise(g);
            float* col = scratch, gathered = scratch + (nint)_group * g.ColumnSize;
            var weight = new ReadOnlySpan<float>(_weight, filters * k);
            Partials(chunk, out var dWeight, out var dBias);
            bool directWeights = _group == 1 && DirectConvolution2d.PrefersWeightGradient(g, filters);
            float* sums = directWeights ? DirectConvolution2d.ClearedWeightSums((long)filters * k) : null;
            for (int n0 = first; n0 < last; n0 += _group)
            {
                int count = Math.Min(_group, last - n0), columns = count * p;
                var dyg = count == 1 ? new Span<float>(_dy + (nint)n0 * outputSize, outputSize) : new Span<float>(gathered, filters * columns);
                for (int j = 0; j < count; j++)
                {
                    var dyn = new ReadOnlySpan<float>(_dy + (nint)(n0 + j) * outputSize, outputSize);
                    for (int f = 0; f < filters; f++)
                    {
                        var row = dyn.Slice(f * p, p);
                        if (!dBias.IsEmpty)
                            dBias[f] += TensorPrimitives.Sum(row);                              // db[f] += Σ_p dy[f, p]
                        if (count > 1)
                            row.CopyTo(dyg.Slice(f * columns + j * p, p));
                    }
                }

                var images = new ReadOnlySpan<float>(_x + (nint)n0 * inputSize, count * inputSize);
                var dxg = _dx is null ? default : new Span<float>(_dx + (nint)n0 * inputSize, count * inputSize);
                if (count == 1 && pointwise)
                {
                    Gemm.Multiply(false, true, filters, k, p, 1f, dyg, p, images, p, 1f, dWeight, k);      // dw += dy · xᵀ
                    if (!dxg.IsEmpty)
                        Gemm.Multiply(true, false, k, p, filters, 1f, weight, k, dyg, p, 1f, dxg, p);      // dx += wᵀ · dy
                    continue;
                }

                var cols = new Span<float>(col, k * columns);
                if (directWeights)
                {
                    DirectConvolution2d.AccumulateWeightGradient(g, filters, _x + (nint)n0 * inputSize, _dy + (nint)n0 * outputSize, sums);
                }
                else
                {
                    Im2Col.UnfoldBatch(g, count, images, cols);
                    Gemm.Multiply(false, true, filters, k, columns, 1f, dyg, columns, cols, columns, 1f, dWeight, k);  // dw += dyg · colᵀ
                }
                if (dxg.IsEmpty)
                    continue;
                if (_packedGradient is not null)
                {
                    for (int j = 0; j < count; j++)
                        DirectConvolution2d.ForwardImage(_gradientGeometry, g.Channels, _dy + (nint)(n0 + j) * outputSize, _packedGradient, null, _dx + (nint)(n0 + j) * inputSize, accumulate: true);
                    continue;
                }
                Gemm.Multiply(true, false, k, columns, filters, 1f, weight, k, dyg, columns, 0f, cols, columns);  // dcol = wᵀ · dyg
                Col2Im.AccumulateBatch(g, count, cols, dxg);                                                     // dx += col2im(dcol)
            }
            if (directWeights)
                DirectConvolution2d.AddWeightSums(sums, dWeight);                                                // dw += Σ lanes
        }

        /// <summary>Where chunk <paramref name="chunk"/> sums dw and db: the outputs for chunk 0, else its partials, zeroed.</summary>
        private void Partials(int chunk, out Span<float> dWeight, out Span<float> dBias)
        {
            int weightSize = _filters * _g.PatchSize;
            bool bias = _dBias is not null;
            if (chunk == 0)
            {
                dWeight = new Span<float>(_dWeight, weightSize);
                dBias = bias ? new Span<float>(_dBias, _filters) : default;
                return;
            }
            float* partial = PartialAt(chunk);
            dWeight = new Span<float>(partial, weightSize);
            dBias = bias ? new Span<float>(partial + weightSize, _filters) : default;
            dWeight.Clear();
            dBias.Clear();
        }

        private float* PartialAt(int chunk) =>
            _workspace + (nint)(_chunks * ChunkScratch(_g, _filters, _group)) + (nint)(chunk - 1) * (_filters * _g.PatchSize + _filters);

        // dw += partial₁ + partial₂ + …, in chunk order (the same sum whichever thread ran which chunk).
        private void AddPartials()
        {
            int weightSize = _filters * _g.PatchSize;
            var dWeight = new Span<float>(_dWeight, weightSize);
            for (int chunk = 1; chunk < _chunks; chunk++)
            {
                float* partial = PartialAt(chunk);
                TensorPrimitives.Add(dWeight, new ReadOnlySpan<float>(partial, weightSize), dWeight);
                if (_dBias is not null)
                {
                    var dBias = new Span<float>(_dBias, _filters);
                    TensorPrimitives.Add(dBias, new ReadOnlySpan<float>(partial + weightSize, _filters), dBias);
                }
            }
        }
    }

    private static bool IsPointwise(in Conv2dGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1 && !g.IsPadded;

    private static void CheckWorkspace(string who, in Conv2dGeometry g, int length, string paramName = "workspace")
    {
        int needed = ColumnFloats(g);
        if (length < needed)
            throw new ArgumentException(
                $"{who}: expected a workspace of at least {needed} floats (C*KH*KW={g.PatchSize} × OH*OW={g.OutputPlaneSize}), got {length}. " +
                "Size it with Convolution2d.WorkspaceSize(geometry).", paramName);
    }

    internal static void ValidateForward(string who, in Conv2dGeometry g, int batch, int filters,
        int xLength, int weightLength, int biasLength, int yLength)
    {
        if (CommonMatches(g, batch, filters, xLength, weightLength) && (biasLength == 0 || biasLength == filters) &&
            yLength == (long)batch * filters * g.OutputPlaneSize)
            return;                                                     // nothing to report: format no messages
        ValidateCommon(who, g, batch, filters, xLength, weightLength);
        if (biasLength != 0)
            ConvolutionArguments.CheckExact(who, "bias", $"(FN={filters}) or empty", filters, biasLength);
        ConvolutionArguments.CheckExact(who, "y", $"(N={batch}, FN={filters}, OH={g.OutputHeight}, OW={g.OutputWidth})",
            (long)batch * filters * g.OutputPlaneSize, yLength);
    }

    internal static void ValidateBackward(string who, in Conv2dGeometry g, int batch, int filters,
        int xLength, int weightLength, int dyLength, int dxLength, int dWeightLength, int dBiasLength)
    {
        if (CommonMatches(g, batch, filters, xLength, weightLength) && dyLength == (long)batch * filters * g.OutputPlaneSize &&
            (dxLength == 0 || dxLength == (long)batch * g.InputSize) && dWeightLength == (long)filters * g.PatchSize &&
            (dBiasLength == 0 || dBiasLength == filters))
            return;                                                     // nothing to report: format no messages
        ValidateCommon(who, g, batch, filters, xLength, weightLength);
        ConvolutionArguments.CheckExact(who, "dy", $"(N={batch}, FN={filters}, OH={g.OutputHeight}, OW={g.OutputWidth})",
            (long)batch * filters * g.OutputPlaneSize, dyLength);
        if (dxLength != 0)
            ConvolutionArguments.CheckExact(who, "dx", $"{ConvolutionArguments.Images(g, batch)} or empty", (long)batch * g.InputSize, dxLength);
        ConvolutionArguments.CheckExact(who, "dWeight", $"(FN={filters}, C={g.Channels}, KH={g.KernelHeight}, KW={g.KernelWidth})",
            (long)filters * g.PatchSize, dWeightLength);
        if (dBiasLength != 0)
            ConvolutionArguments.CheckExact(who, "dBias", $"(FN={filters}) or empty", filters, dBiasLength);
    }

    /// <summary>
    /// The checks of ValidateCommon without their messages: the kernels run per batch in the training
    /// loop, which must not allocate, and the checks format their messages eagerly.
    /// </summary>
    private static bool CommonMatches(in Conv2dGeometry g, int batch, int filters, int xLength, int weightLength) =>
        g.IsInitialized && batch >= 0 && filters >= 1 &&
        xLength == (long)batch * g.InputSize && weightLength == (long)filters * g.PatchSize;

    private static void ValidateCommon(string who, in Conv2dGeometry g, int batch, int filters, int xLength, int weightLength)
    {
        g.EnsureInitialized(who);
        ConvolutionArguments.CheckBatch(who, batch);
        ConvolutionArguments.CheckCount(who, nameof(filters), filters, "the number of output channels FN");
        ConvolutionArguments.CheckExact(who, "x", ConvolutionArguments.Images(g, batch), (long)batch * g.InputSize, xLength);
        ConvolutionArguments.CheckExact(who, "weight", $"(FN={filters}, C={g.Channels}, KH={g.KernelHeight}, KW={g.KernelWidth})",
            (long)filters * g.PatchSize, weightLength);
    }
}
