// DirectConvolution2d.cs — the forward pass of a stride-1-across convolution straight from the
// image, without im2col: an AVX-512 register tile of 8 filters × 2 output rows × 16 output columns.
//
//   y[f, oh, ow] = b[f] + Σ_{c, kh, kw} w[f, c, kh, kw] · x[c, oh·SH + kh·DH − PT, ow + kw·DW − PL]
//
// For one tap (c, kh, kw) the 16 output columns ow0 … ow0+15 of a row read 16 consecutive input
// pixels (the stride across is 1), so the tap is one vector load per output row, and each of
// the 8 filters adds its weight (one broadcast) times that vector: 16 FMAs for 2 loads and 8
// broadcasts, 16 accumulators + 2 inputs + 1 weight in registers. The weights are packed once per
// call (PackWeights) tap-major per 8-filter group, so the 8 broadcasts of a tap come from one
// 32-byte line through one pointer; the loops run kh, then c, then kw, with pointer increments only.
// The image is first copied into a zero-bordered scratch (Pad) whose rows are as wide as the tiles
// reach, so every tap is a plain vector load: with masked loads from x itself, each tap also spent
// two mask loads and two mask conversions, the conversions on an FMA port (16×16 at 32×32 ran at
// about 60 % of the FMA peak that way). Only the stores are masked, to the output columns.
//
// Why: im2col writes C·KH·KW × OH·OW floats and the GEMM reads them back, which for a small
// convolution costs as much as the product itself (LeNet-5's conv2: 4.8 µs of im2col before a
// 4.6 µs GEMM per image); here the input (a few KB) stays in L1. Edge tiles (fewer than 8 filters
// or 2 rows left) repeat the last filter or row and store the same values twice, which keeps the
// tile's code straight.
// The input gradient of a stride-1 convolution is itself such a convolution: of dy, with the
// filters transposed (C ↔ FN) and flipped, and padding d·(K − 1) − P (TryTransposedGeometry); the
// tile then starts from dx's current values (accumulate) instead of the bias.
// Not here: dW (DirectConvolution2d.WeightGradient.cs), stride across > 1, replicate padding.
// Convolution2d decides when this path runs (Prefers).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal static unsafe partial class DirectConvolution2d
{
    private const int Lanes = 16;
    private const int TileFilters = 8;

    /// <summary>Filters per tile group (the unit <see cref="GroupCount"/> counts).</summary>
    public const int FiltersPerGroup = TileFilters;
    private const int TileRows = 2;

    /// <summary>Whether the direct tile can compute this geometry: AVX-512, stride 1 across, zero padding.</summary>
    public static bool Supports(in Conv2dGeometry g) =>
        Avx512F.IsSupported && g.StrideWidth == 1 && g.PaddingMode == PaddingMode.Zero;

    /// <summary>
    /// Whether the direct tile beats im2col + GEMM: when its 16-lane × 2-row tiles are at least 90 %
    /// full (output width 16, 30, 32, 48 … and an even height), or for few filters over a short patch
    /// (FN ≤ 16, C·KH·KW ≤ 160), where the GEMM is small and im2col is half the work. Measured per image
    /// on one thread (µs, im2col + GEMM → direct): LeNet-5 conv1 6.8 → 4.2, conv2 11.0 → 9.5; 3→32 at
    /// 32×32 24.2 → 19.5; 16→16 at 32×32 61.4 → 44.3; 32→32 at 16×16 55.4 → 49.2; 32→32 at 32×32
    /// unpadded (30 wide) 181 → 165; 64→64 at 32×32 730 → 689. With half-empty tiles the GEMM wins:
    /// 64→64 at 8×8 61 → 111, 32→64 at 15×15 84 → 98, 1→30 5×5 at 24 wide 13.0 → 14.0.
    /// </summary>
    public static bool Prefers(in Conv2dGeometry g, int filters)
    {
        if (!Supports(g))
            return false;
        if (filters <= 16 && g.PatchSize <= 160)
            return true;
        int width = g.OutputWidth, height = g.OutputHeight;
        double lanes = (double)width / ((width + Lanes - 1) / Lanes * Lanes);
        double rows = (double)height / ((height + TileRows - 1) / TileRows * TileRows);
        return lanes * rows >= 0.9;
    }

    /// <summary>Floats <see cref="PackWeights"/> writes: the filters rounded up to whole 8-filter groups, times C·KH·KW.</summary>
    public static int PackedSize(in Conv2dGeometry g, int filters) => (filters + TileFilters - 1) / TileFilters * TileFilters * g.PatchSize;

    /// <summary>
    /// Lays the filters out tap-major per 8-filter group, packed[group][tap][f] = w[group·8 + f][tap],
    /// so a tile reads its 8 weights of one tap from one 32-byte line through one pointer. A group's
    /// missing filters (FN not a multiple of 8) repeat the last filter.
    /// </summary>
    public static void PackWeights(in Conv2dGeometry g, int filters, float* w, float* packed)
    {
        int patch = g.PatchSize;
        for (int f0 = 0; f0 < filters; f0 += TileFilters)
        {
            float* group = packed + (nint)f0 * patch;
            for (int f = 0; f < TileFilters; f++)
            {
                float* source = w + (nint)Math.Min(f0 + f, filters - 1) * patch;
                for (int t = 0; t < patch; t++)
                    group[t * TileFilters + f] = source[t];
            }
        }
    }

    /// <summary>
    /// y (FN, OH, OW) = conv(x (C, H, W), w) + b for one image, with the filters as <see cref="PackWeights"/>
    /// laid them out; <paramref name="bias"/> may be null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardImage(in Conv2dGeometry g, int filters, float* x, float* packedWeights, float* bias, float* y, bool accumulate = false)
        => ForwardImage(g, filters, x, packedWeights, bias, y, accumulate, 0, GroupCount(filters));

    /// <summary>The 8-filter groups of <paramref name="filters"/> filters.</summary>
    public static int GroupCount(int filters) => (filters + TileFilters - 1) / TileFilters;

    /// <summary>
    /// ForwardImage for the filter groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) only:
    /// threads split one image this way (filter groups write disjoint output planes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardImage(in Conv2dGeometry g, int filters, float* x, float* packedWeights, float* bias, float* y, bool accumulate, int firstGroup, int endGroup)
    {
        int outputWidth = g.OutputWidth, outputHeight = g.OutputHeight;
        float* padded = Pad(g, x, out int rowStride, out int planeStride);
        for (int ow0 = 0; ow0 < outputWidth; ow0 += Lanes)
        {
            var store = Vector512.LessThan(Vector512<int>.Indices + Vector512.Create(ow0), Vector512.Create(outputWidth)).AsSingle();
            for (int f0 = firstGroup * TileFilters; f0 < Math.Min(filters, endGroup * TileFilters); f0 += TileFilters)
            {
                float* group = packedWeights + (nint)f0 * g.PatchSize;
                for (int oh0 = 0; oh0 < outputHeight; oh0 += TileRows)
                    Tile(g, filters, f0, oh0, ow0, padded, rowStride, planeStride, group, bias, y, store, accumulate);
            }
        }
    }

    [ThreadStatic]
    private static float[]? _padded;

    /// <summary>
    /// The rows of x that the taps reach, with the zero padding written out: padded row r is input row
    /// r − PT, padded column j is input column j − PL, zero outside x. A row is as wide as the widest
    /// tile reaches (whole 16-lane tiles plus the kernel's reach), so every tap is a plain vector load.
    /// </summary>
    private static float* Pad(in Conv2dGeometry g, float* x, out int rowStride, out int planeStride)
    {
        int width = g.Width, height = g.Height, left = g.PadLeft;
        rowStride = (g.OutputWidth + Lanes - 1) / Lanes * Lanes + (g.KernelWidth - 1) * g.DilationWidth;
        rowStride = (rowStride + Lanes - 1) / Lanes * Lanes;   // whole cache lines: every row starts on one
        int rows = (g.OutputHeight - 1) * g.StrideHeight + (g.KernelHeight - 1) * g.DilationHeight + 1;
        planeStride = rows * rowStride;
        long size = (long)g.Channels * planeStride;
        if (_padded is null || _padded.Length < size + Lanes)
            _padded = GC.AllocateUninitializedArray<float>(checked((int)size + Lanes), pinned: true);   // pinned: used as a pointer
        float* padded = (float*)(((nint)Unsafe.AsPointer(ref _padded[0]) + 63) & ~(nint)63);   // 64-byte aligned
        for (int c = 0; c < g.Channels; c++)
        {
            float* plane = x + (nint)c * height * width;
            for (int r = 0; r < rows; r++)
            {
                var row = new Span<float>(padded + (nint)c * planeStride + (nint)r * rowStride, rowStride);
                int ih = r - g.PadTop;
                if ((uint)ih >= (uint)height)
                {
                    row.Clear();
                    continue;
                }
                int copied = Math.Min(width, rowStride - left);   // a row that reaches past x's last column is padded on the right
                row[..left].Clear();
                new ReadOnlySpan<float>(plane + (nint)ih * width, copied).CopyTo(row[left..]);
                row[(left + copied)..].Clear();
            }
        }
        return padded;
    }

    // One tile: filters f0 … f0+7 × output rows oh0, oh0+1 (clamped to the last row, whose repeated
    // store writes the same values) × 16 columns from ow0. (An 8 × 3-row tile measured no faster.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(in Conv2dGeometry g, int filters, int f0, int oh0, int ow0,
        float* padded, int rowStride, int planeStride, float* group, float* bias, float* y, Vector512<float> store, bool accumulate)
    {
        int kernelHeight = g.KernelHeight, kernelWidth = g.KernelWidth, channels = g.Channels;
        nint dw = g.DilationWidth;
        nint channelStep = (nint)kernelHeight * kernelWidth * TileFilters;   // packed floats per channel
        int outputPlane = g.OutputPlaneSize, outputWidth = g.OutputWidth, last = g.OutputHeight - 1;
        int oh1 = Math.Min(oh0 + 1, last);
        float* r0 = y + (nint)oh0 * outputWidth + ow0, r1 = y + (nint)oh1 * outputWidth + ow0;

        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
        if (accumulate)
        {
            // y += conv: start from what y holds (an input gradient, summed over the images' filters).
            a00 = Load(r0, f0 + 0, filters, outputPlane, store); a01 = Load(r1, f0 + 0, filters, outputPlane, store);
            a10 = Load(r0, f0 + 1, filters, outputPlane, store); a11 = Load(r1, f0 + 1, filters, outputPlane, store);
            a20 = Load(r0, f0 + 2, filters, outputPlane, store); a21 = Load(r1, f0 + 2, filters, outputPlane, store);
            a30 = Load(r0, f0 + 3, filters, outputPlane, store); a31 = Load(r1, f0 + 3, filters, outputPlane, store);
            a40 = Load(r0, f0 + 4, filters, outputPlane, store); a41 = Load(r1, f0 + 4, filters, outputPlane, store);
            a50 = Load(r0, f0 + 5, filters, outputPlane, store); a51 = Load(r1, f0 + 5, filters, outputPlane, store);
            a60 = Load(r0, f0 + 6, filters, outputPlane, store); a61 = Load(r1, f0 + 6, filters, outputPlane, store);
            a70 = Load(r0, f0 + 7, filters, outputPlane, store); a71 = Load(r1, f0 + 7, filters, outputPlane, store);
        }
        else if (bias is null)
        {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = Vector512<float>.Zero;
        }
        else
        {
            a00 = a01 = Vector512.Create(bias[Math.Min(f0 + 0, filters - 1)]);
            a10 = a11 = Vector512.Create(bias[Math.Min(f0 + 1, filters - 1)]);
            a20 = a21 = Vector512.Create(bias[Math.Min(f0 + 2, filters - 1)]);
            a30 = a31 = Vector512.Create(bias[Math.Min(f0 + 3, filters - 1)]);
            a40 = a41 = Vector512.Create(bias[Math.Min(f0 + 4, filters - 1)]);
            a50 = a51 = Vector512.Create(bias[Math.Min(f0 + 5, filters - 1)]);
            a60 = a61 = Vector512.Create(bias[Math.Min(f0 + 6, filters - 1)]);
            a70 = a71 = Vector512.Create(bias[Math.Min(f0 + 7, filters - 1)]);
        }

        for (int kh = 0; kh < kernelHeight; kh++)
        {
            // Padded row oh·SH + kh·DH holds input row oh·SH + kh·DH − PT (zeros in the padding).
            int offset = kh * g.DilationHeight;
            float* row0 = padded + (nint)(oh0 * g.StrideHeight + offset) * rowStride + ow0;
            float* row1 = padded + (nint)(oh1 * g.StrideHeight + offset) * rowStride + ow0;
            float* weights = group + (nint)kh * kernelWidth * TileFilters;
            for (int c = 0; c < channels; c++, row0 += planeStride, row1 += planeStride, weights += channelStep)
            {
                float* wt = weights;
                for (nint kw = 0; kw < kernelWidth; kw++, wt += TileFilters)
                {
                    var x0 = Vector512.Load(row0 + kw * dw);
                    var x1 = Vector512.Load(row1 + kw * dw);
                    var v0 = Vector512.Create(wt[0]);
                    a00 = Vector512.FusedMultiplyAdd(v0, x0, a00);
                    a01 = Vector512.FusedMultiplyAdd(v0, x1, a01);
                    var v1 = Vector512.Create(wt[1]);
                    a10 = Vector512.FusedMultiplyAdd(v1, x0, a10);
                    a11 = Vector512.FusedMultiplyAdd(v1, x1, a11);
                    var v2 = Vector512.Create(wt[2]);
                    a20 = Vector512.FusedMultiplyAdd(v2, x0, a20);
                    a21 = Vector512.FusedMultiplyAdd(v2, x1, a21);
                    var v3 = Vector512.Create(wt[3]);
                    a30 = Vector512.FusedMultiplyAdd(v3, x0, a30);
                    a31 = Vector512.FusedMultiplyAdd(v3, x1, a31);
                    var v4 = Vector512.Create(wt[4]);
                    a40 = Vector512.FusedMultiplyAdd(v4, x0, a40);
                    a41 = Vector512.FusedMultiplyAdd(v4, x1, a41);
                    var v5 = Vector512.Create(wt[5]);
                    a50 = Vector512.FusedMultiplyAdd(v5, x0, a50);
                    a51 = Vector512.FusedMultiplyAdd(v5, x1, a51);
                    var v6 = Vector512.Create(wt[6]);
                    a60 = Vector512.FusedMultiplyAdd(v6, x0, a60);
                    a61 = Vector512.FusedMultiplyAdd(v6, x1, a61);
                    var v7 = Vector512.Create(wt[7]);
                    a70 = Vector512.FusedMultiplyAdd(v7, x0, a70);
                    a71 = Vector512.FusedMultiplyAdd(v7, x1, a71);
                }
            }
        }

        // Last row first: when the tile repeats the last row, the first store of it is overwritten by the same values.
        {
            nint at = (nint)Math.Min(f0 + 0, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a01);
            Avx512F.MaskStore(r0 + at, store, a00);
        }
        {
            nint at = (nint)Math.Min(f0 + 1, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a11);
            Avx512F.MaskStore(r0 + at, store, a10);
        }
        {
            nint at = (nint)Math.Min(f0 + 2, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a21);
            Avx512F.MaskStore(r0 + at, store, a20);
        }
        {
            nint at = (nint)Math.Min(f0 + 3, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a31);
            Avx512F.MaskStore(r0 + at, store, a30);
        }
        {
            nint at = (nint)Math.Min(f0 + 4, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a41);
            Avx512F.MaskStore(r0 + at, store, a40);
        }
        {
            nint at = (nint)Math.Min(f0 + 5, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a51);
            Avx512F.MaskStore(r0 + at, store, a50);
        }
        {
            nint at = (nint)Math.Min(f0 + 6, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a61);
            Avx512F.MaskStore(r0 + at, store, a60);
        }
        {
            nint at = (nint)Math.Min(f0 + 7, filters - 1) * outputPlane;
            Avx512F.MaskStore(r1 + at, store, a71);
            Avx512F.MaskStore(r0 + at, store, a70);
        }
    }

    // Row r of filter f (repeating the last filter), as the tile's starting sum.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* row, int f, int filters, int outputPlane, Vector512<float> mask) =>
        Avx512F.MaskLoad(row + (nint)Math.Min(f, filters - 1) * outputPlane, mask, Vector512<float>.Zero);

    /// <summary>
    /// The geometry whose forward convolution of dy is the input gradient of a stride-1 convolution
    /// <paramref name="g"/> with <paramref name="filters"/> filters: FN channels of OH × OW, the same
    /// kernel and dilation, padding d·(K − 1) − P per side, C filters, output H × W; the filters are
    /// <see cref="TransposeFilters"/>. False when g has a stride, replicate padding, or padding beyond
    /// the kernel's reach (the transposed padding would be negative).
    /// </summary>
    public static bool TryTransposedGeometry(in Conv2dGeometry g, int filters, out Conv2dGeometry transposed)
    {
        transposed = default;
        if (g.StrideHeight != 1 || g.StrideWidth != 1 || g.PaddingMode != PaddingMode.Zero)
            return false;
        int reachH = g.DilationHeight * (g.KernelHeight - 1), reachW = g.DilationWidth * (g.KernelWidth - 1);
        int top = reachH - g.PadTop, bottom = reachH - g.PadBottom, left = reachW - g.PadLeft, right = reachW - g.PadRight;
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            return false;
        transposed = new Conv2dGeometry(filters, g.OutputHeight, g.OutputWidth, g.KernelHeight, g.KernelWidth,
            1, 1, top, bottom, left, right, g.DilationHeight, g.DilationWidth);
        return transposed.OutputHeight == g.Height && transposed.OutputWidth == g.Width;
    }

    /// <summary>w' (C, FN, KH, KW)[c, f, kh, kw] = w (FN, C, KH, KW)[f, c, KH − 1 − kh, KW − 1 − kw]: the filters of the input gradient.</summary>
    public static void TransposeFilters(in Conv2dGeometry g, int filters, float* w, float* transposed)
    {
        int channels = g.Channels, kh = g.KernelHeight, kw = g.KernelWidth, taps = kh * kw;
        for (int f = 0; f < filters; f++)
        {
            for (int c = 0; c < channels; c++)
            {
                float* source = w + ((nint)f * channels + c) * taps;
                float* target = transposed + ((nint)c * filters + f) * taps;
                for (int t = 0; t < taps; t++)
                    target[taps - 1 - t] = source[t];                  // (kh, kw) → (KH−1−kh, KW−1−kw)
            }
        }
    }
}
