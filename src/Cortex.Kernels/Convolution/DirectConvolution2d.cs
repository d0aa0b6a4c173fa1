// DirectConvolution2d.cs — the forward pass of a stride-1-across convolution straight from the
// image, without im2col: an AVX-512 register tile of 8 filters × 2 output rows × 16 output columns.
//
//   y[f, oh, ow] = b[f] + Σ_{c, kh, kw} w[f, c, kh, kw] · x[c, oh·SH + kh·DH − PT, ow + kw·DW − PL]
//
// For one tap (c, kh, kw) the 16 output columns ow0 … ow0+15 of a row read 16 consecutive input
// pixels (the stride across is 1), so the tap is one masked vector load per output row, and each of
// the 8 filters adds its weight (one broadcast) times that vector: 16 FMAs for 2 loads and 8
// broadcasts, 16 accumulators + 2 inputs + 1 weight in registers. The weights are packed once per
// call (PackWeights) tap-major per 8-filter group, so the 8 broadcasts of a tap come from one
// 32-byte line through one pointer; the loops run kh, then c, then kw, with pointer increments only. The mask of a
// load keeps the lanes whose pixel is inside the row (zero padding left and right, and the lanes
// past the last output column); an input row in the top or bottom padding loads with an empty
// mask. A masked load never touches memory in its masked-off lanes, so nothing is read outside x.
//
// Why: im2col writes C·KH·KW × OH·OW floats and the GEMM reads them back, which for a small
// convolution costs as much as the product itself (LeNet-5's conv2: 4.8 µs of im2col before a
// 4.6 µs GEMM per image); here the input (a few KB) stays in L1. Edge tiles (fewer than 8 filters
// or 2 rows left) repeat the last filter or row and store the same values twice, which keeps the
// tile's code straight.
// The input gradient of a stride-1 convolution is itself such a convolution: of dy, with the
// filters transposed (C ↔ FN) and flipped, and padding d·(K − 1) − P (TryTransposedGeometry); the
// tile then starts from dx's current values (accumulate) instead of the bias.
// Not here: dW (im2col + GEMM, Convolution2d.cs), stride across > 1, replicate padding.
// Convolution2d.Forward decides when this path runs (UsesDirect).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal static unsafe class DirectConvolution2d
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
        int kernelWidth = g.KernelWidth, outputWidth = g.OutputWidth, outputHeight = g.OutputHeight;
        Vector512<float>* masks = stackalloc Vector512<float>[kernelWidth];
        Vector512<float>* none = stackalloc Vector512<float>[kernelWidth];
        for (int kw = 0; kw < kernelWidth; kw++)
            none[kw] = Vector512<float>.Zero;

        for (int ow0 = 0; ow0 < outputWidth; ow0 += Lanes)
        {
            // Lane t of tap kw reads pixel iw = ow0 + t + kw·DW − PL: kept when iw is inside the row
            // and ow0 + t is an output column.
            var lane = Vector512<int>.Indices + Vector512.Create(ow0);
            var columns = Vector512.LessThan(lane, Vector512.Create(outputWidth));
            for (int kw = 0; kw < kernelWidth; kw++)
            {
                var pixel = lane + Vector512.Create(kw * g.DilationWidth - g.PadLeft);
                masks[kw] = (columns & Vector512.GreaterThanOrEqual(pixel, Vector512<int>.Zero) & Vector512.LessThan(pixel, Vector512.Create(g.Width))).AsSingle();
            }

            var store = columns.AsSingle();
            for (int f0 = firstGroup * TileFilters; f0 < Math.Min(filters, endGroup * TileFilters); f0 += TileFilters)
            {
                float* group = packedWeights + (nint)f0 * g.PatchSize;
                for (int oh0 = 0; oh0 < outputHeight; oh0 += TileRows)
                    Tile(g, filters, f0, oh0, Math.Min(oh0 + 1, outputHeight - 1), ow0, x, group, bias, y, masks, none, store, accumulate);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(in Conv2dGeometry g, int filters, int f0, int oh0, int oh1, int ow0,
        float* x, float* group, float* bias, float* y, Vector512<float>* masks, Vector512<float>* none, Vector512<float> store, bool accumulate)
    {
        int kernelHeight = g.KernelHeight, kernelWidth = g.KernelWidth, channels = g.Channels;
        int height = g.Height, width = g.Width, dw = g.DilationWidth;
        nint plane = (nint)height * width;
        nint channelStep = (nint)kernelHeight * kernelWidth * TileFilters;   // packed floats per channel

        Vector512<float> a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
        int outputPlane = g.OutputPlaneSize, outputWidth = g.OutputWidth;
        float* r0 = y + (nint)oh0 * outputWidth + ow0, r1 = y + (nint)oh1 * outputWidth + ow0;
        if (accumulate)
        {
            // y += conv: start from what y holds (an input gradient, summed over the images' filters).
            a00 = Load(r0, f0, filters, outputPlane, store, out a01, r1);
            a10 = Load(r0, f0 + 1, filters, outputPlane, store, out a11, r1);
            a20 = Load(r0, f0 + 2, filters, outputPlane, store, out a21, r1);
            a30 = Load(r0, f0 + 3, filters, outputPlane, store, out a31, r1);
            a40 = Load(r0, f0 + 4, filters, outputPlane, store, out a41, r1);
            a50 = Load(r0, f0 + 5, filters, outputPlane, store, out a51, r1);
            a60 = Load(r0, f0 + 6, filters, outputPlane, store, out a61, r1);
            a70 = Load(r0, f0 + 7, filters, outputPlane, store, out a71, r1);
        }
        else if (bias is null)
        {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = Vector512<float>.Zero;
        }
        else
        {
            a00 = a01 = Vector512.Create(bias[Math.Min(f0, filters - 1)]);
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
            int ih0 = oh0 * g.StrideHeight + kh * g.DilationHeight - g.PadTop;
            int ih1 = oh1 * g.StrideHeight + kh * g.DilationHeight - g.PadTop;
            // A row in the top or bottom padding loads with empty masks (reads nothing, gives zeros).
            var masks0 = (uint)ih0 < (uint)height ? masks : none;
            var masks1 = (uint)ih1 < (uint)height ? masks : none;
            float* row0 = x + (nint)ih0 * width + ow0 - g.PadLeft;
            float* row1 = x + (nint)ih1 * width + ow0 - g.PadLeft;
            float* weights = group + (nint)kh * kernelWidth * TileFilters;
            for (int c = 0; c < channels; c++, row0 += plane, row1 += plane, weights += channelStep)
            {
                float* wt = weights;
                for (int kw = 0; kw < kernelWidth; kw++, wt += TileFilters)
                {
                    var x0 = Avx512F.MaskLoad(row0 + kw * dw, masks0[kw], Vector512<float>.Zero);
                    var x1 = Avx512F.MaskLoad(row1 + kw * dw, masks1[kw], Vector512<float>.Zero);
                    var v = Vector512.Create(wt[0]);
                    a00 = Vector512.FusedMultiplyAdd(v, x0, a00);
                    a01 = Vector512.FusedMultiplyAdd(v, x1, a01);
                    v = Vector512.Create(wt[1]);
                    a10 = Vector512.FusedMultiplyAdd(v, x0, a10);
                    a11 = Vector512.FusedMultiplyAdd(v, x1, a11);
                    v = Vector512.Create(wt[2]);
                    a20 = Vector512.FusedMultiplyAdd(v, x0, a20);
                    a21 = Vector512.FusedMultiplyAdd(v, x1, a21);
                    v = Vector512.Create(wt[3]);
                    a30 = Vector512.FusedMultiplyAdd(v, x0, a30);
                    a31 = Vector512.FusedMultiplyAdd(v, x1, a31);
                    v = Vector512.Create(wt[4]);
                    a40 = Vector512.FusedMultiplyAdd(v, x0, a40);
                    a41 = Vector512.FusedMultiplyAdd(v, x1, a41);
                    v = Vector512.Create(wt[5]);
                    a50 = Vector512.FusedMultiplyAdd(v, x0, a50);
                    a51 = Vector512.FusedMultiplyAdd(v, x1, a51);
                    v = Vector512.Create(wt[6]);
                    a60 = Vector512.FusedMultiplyAdd(v, x0, a60);
                    a61 = Vector512.FusedMultiplyAdd(v, x1, a61);
                    v = Vector512.Create(wt[7]);
                    a70 = Vector512.FusedMultiplyAdd(v, x0, a70);
                    a71 = Vector512.FusedMultiplyAdd(v, x1, a71);
                }
            }
        }

        Store(a00, a01, r0, r1, Math.Min(f0, filters - 1) * outputPlane, store);
        Store(a10, a11, r0, r1, Math.Min(f0 + 1, filters - 1) * outputPlane, store);
        Store(a20, a21, r0, r1, Math.Min(f0 + 2, filters - 1) * outputPlane, store);
        Store(a30, a31, r0, r1, Math.Min(f0 + 3, filters - 1) * outputPlane, store);
        Store(a40, a41, r0, r1, Math.Min(f0 + 4, filters - 1) * outputPlane, store);
        Store(a50, a51, r0, r1, Math.Min(f0 + 5, filters - 1) * outputPlane, store);
        Store(a60, a61, r0, r1, Math.Min(f0 + 6, filters - 1) * outputPlane, store);
        Store(a70, a71, r0, r1, Math.Min(f0 + 7, filters - 1) * outputPlane, store);
    }

    // Rows 0 and 1 of filter f (repeating the last filter), as the tile's starting sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(float* r0, int f, int filters, int outputPlane, Vector512<float> mask, out Vector512<float> row1, float* r1)
    {
        nint offset = (nint)Math.Min(f, filters - 1) * outputPlane;
        row1 = Avx512F.MaskLoad(r1 + offset, mask, Vector512<float>.Zero);
        return Avx512F.MaskLoad(r0 + offset, mask, Vector512<float>.Zero);
    }

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

    // Row 1 first: when the tile repeats the last row, row 0's store is the one that stays (same values).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> row0, Vector512<float> row1, float* r0, float* r1, int offset, Vector512<float> mask)
    {
        Avx512F.MaskStore(r1 + offset, mask, row1);
        Avx512F.MaskStore(r0 + offset, mask, row0);
    }
}
