// DirectConvolution2d.WeightGradient.cs — dW of a stride-1-across convolution straight from the
// padded image and dy, without im2col: an AVX-512 register tile of 8 filters × 3 taps along a kernel row.
//
//   dw[f, c, kh, kw] += Σ_{oh, ow} dy[f, oh, ow] · x[c, oh·SH + kh·DH − PT, ow + kw·DW − PL]
//
// For one output row and 16 output columns, the three taps kw0, kw0+1, kw0+2 of kernel row kh read
// three overlapping 16-pixel runs of one padded input row (Pad), and each of the 8 filters' dy
// vector meets each of them: 24 FMAs for 3 + 8 plain loads, 24 accumulators in registers. The sums
// stay 16 lanes wide through the image and are added into a per-thread buffer of lane vectors, one per
// weight; only after the last image of a chunk are the lanes summed (WeightSums). Summing every
// accumulator per image would cost about half the FMAs at 16×16.
//
// Why: im2col + the dy·colᵀ GEMM transposes both operands into panels; at ResNet-20's first stage
// (16 filters, 3×3, 32×32) that ran at about 54 GFLOP/s on one thread, with im2col a quarter of it.
// Used when Convolution2d's backward asks (PrefersWeightGradient): whole 16-lane output rows, whole
// 8-filter groups, a kernel width that is a multiple of 3.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cortex.Kernels;

internal static unsafe partial class DirectConvolution2d
{
    private const int TapsPerTile = 3;

    /// <summary>
    /// Whether <see cref="AccumulateWeightGradient"/> computes this geometry, and beats im2col + GEMM:
    /// output rows of whole 16-lane vectors (32 or 16 wide), filters in whole groups of 8, a kernel width
    /// that is a multiple of 3, and a lane buffer (filters · C·KH·KW vectors) of at most 4 MB. Measured per
    /// 16 images on one thread (im2col + GEMM → direct, dw + db): 64 → 64 at 32×32 13.1 → 10.7 ms (2.4 MB of
    /// lanes); 128 → 128 at 16×16 10.5 → 11.3 ms (9.4 MB of lanes, re-read from beyond L2 for every image).
    /// </summary>
    public static bool PrefersWeightGradient(in Conv2dGeometry g, int filters) =>
        Supports(g) && g.OutputWidth % Lanes == 0 && filters % TileFilters == 0 && g.KernelWidth % TapsPerTile == 0 &&
        (long)filters * g.PatchSize * Lanes <= 1024 * 1024;

    /// <summary>
    /// sums[f, tap, lane] += the lane-wise dW of one image (x: (C, H, W), dy: (FN, OH, OW)), tap = (c, kh, kw);
    /// <see cref="AddWeightSums"/> turns the lanes into dW.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateWeightGradient(in Conv2dGeometry g, int filters, float* x, float* dy, float* sums)
    {
        float* padded = Pad(g, x, out int rowStride, out int planeStride);
        int patch = g.PatchSize, taps = g.KernelHeight * g.KernelWidth, outputPlane = g.OutputPlaneSize;
        for (int f0 = 0; f0 < filters; f0 += TileFilters)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    float* row = padded + (nint)c * planeStride + (nint)kh * g.DilationHeight * rowStride;
                    for (int kw0 = 0; kw0 < g.KernelWidth; kw0 += TapsPerTile)
                    {
                        int tap = c * taps + kh * g.KernelWidth + kw0;
                        WeightTile(g, dy + (nint)f0 * outputPlane, row + kw0 * g.DilationWidth, rowStride, sums + ((nint)f0 * patch + tap) * Lanes, patch);
                    }
                }
            }
        }
    }

    [ThreadStatic]
    private static float[]? _weightSums;

    /// <summary>The calling thread's lane buffer for <paramref name="weights"/> weights, 64-byte aligned and cleared.</summary>
    public static float* ClearedWeightSums(long weights)
    {
        long size = weights * Lanes;
        if (_weightSums is null || _weightSums.Length < size + Lanes)
            _weightSums = GC.AllocateUninitializedArray<float>(checked((int)(size + Lanes)), pinned: true);   // pinned: used as a pointer
        float* sums = (float*)(((nint)Unsafe.AsPointer(ref _weightSums[0]) + 63) & ~(nint)63);
        new Span<float>(sums, (int)size).Clear();
        return sums;
    }

    /// <summary>dWeight[i] += Σ_lanes sums[i, lane] for every weight.</summary>
    public static void AddWeightSums(float* sums, Span<float> dWeight)
    {
        for (int i = 0; i < dWeight.Length; i++)
            dWeight[i] += Vector512.Sum(Vector512.Load(sums + (nint)i * Lanes));
    }

    // 8 filters (dy planes from dy) × taps kw0 … kw0+2 (x runs from row, DW apart) over the whole output.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTile(in Conv2dGeometry g, float* dy, float* row, int rowStride, float* sums, int patch)
    {
        int outputHeight = g.OutputHeight, outputWidth = g.OutputWidth;
        nint dw = g.DilationWidth, plane = g.OutputPlaneSize, step = (nint)g.StrideHeight * rowStride;
        Vector512<float> a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42, a50, a51, a52, a60, a61, a62, a70, a71, a72;
        a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = a50 = a51 = a52 = a60 = a61 = a62 = a70 = a71 = a72 = Vector512<float>.Zero;
        float* d = dy;
        for (int oh = 0; oh < outputHeight; oh++, row += step)
        {
            for (int ow0 = 0; ow0 < outputWidth; ow0 += Lanes, d += Lanes)
            {
                var x0 = Vector512.Load(row + ow0);
                var x1 = Vector512.Load(row + ow0 + dw);
                var x2 = Vector512.Load(row + ow0 + 2 * dw);
                var d0 = Vector512.Load(d + 0 * plane);
                a00 = Vector512.FusedMultiplyAdd(d0, x0, a00);
                a01 = Vector512.FusedMultiplyAdd(d0, x1, a01);
                a02 = Vector512.FusedMultiplyAdd(d0, x2, a02);
                var d1 = Vector512.Load(d + 1 * plane);
                a10 = Vector512.FusedMultiplyAdd(d1, x0, a10);
                a11 = Vector512.FusedMultiplyAdd(d1, x1, a11);
                a12 = Vector512.FusedMultiplyAdd(d1, x2, a12);
                var d2 = Vector512.Load(d + 2 * plane);
                a20 = Vector512.FusedMultiplyAdd(d2, x0, a20);
                a21 = Vector512.FusedMultiplyAdd(d2, x1, a21);
                a22 = Vector512.FusedMultiplyAdd(d2, x2, a22);
                var d3 = Vector512.Load(d + 3 * plane);
                a30 = Vector512.FusedMultiplyAdd(d3, x0, a30);
                a31 = Vector512.FusedMultiplyAdd(d3, x1, a31);
                a32 = Vector512.FusedMultiplyAdd(d3, x2, a32);
                var d4 = Vector512.Load(d + 4 * plane);
                a40 = Vector512.FusedMultiplyAdd(d4, x0, a40);
                a41 = Vector512.FusedMultiplyAdd(d4, x1, a41);
                a42 = Vector512.FusedMultiplyAdd(d4, x2, a42);
                var d5 = Vector512.Load(d + 5 * plane);
                a50 = Vector512.FusedMultiplyAdd(d5, x0, a50);
                a51 = Vector512.FusedMultiplyAdd(d5, x1, a51);
                a52 = Vector512.FusedMultiplyAdd(d5, x2, a52);
                var d6 = Vector512.Load(d + 6 * plane);
                a60 = Vector512.FusedMultiplyAdd(d6, x0, a60);
                a61 = Vector512.FusedMultiplyAdd(d6, x1, a61);
                a62 = Vector512.FusedMultiplyAdd(d6, x2, a62);
                var d7 = Vector512.Load(d + 7 * plane);
                a70 = Vector512.FusedMultiplyAdd(d7, x0, a70);
                a71 = Vector512.FusedMultiplyAdd(d7, x1, a71);
                a72 = Vector512.FusedMultiplyAdd(d7, x2, a72);
            }
        }

        AddLanes(sums + (nint)0 * patch * Lanes, a00, a01, a02);
        AddLanes(sums + (nint)1 * patch * Lanes, a10, a11, a12);
        AddLanes(sums + (nint)2 * patch * Lanes, a20, a21, a22);
        AddLanes(sums + (nint)3 * patch * Lanes, a30, a31, a32);
        AddLanes(sums + (nint)4 * patch * Lanes, a40, a41, a42);
        AddLanes(sums + (nint)5 * patch * Lanes, a50, a51, a52);
        AddLanes(sums + (nint)6 * patch * Lanes, a60, a61, a62);
        AddLanes(sums + (nint)7 * patch * Lanes, a70, a71, a72);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddLanes(float* at, Vector512<float> t0, Vector512<float> t1, Vector512<float> t2)
    {
        (Vector512.Load(at) + t0).Store(at);
        (Vector512.Load(at + Lanes) + t1).Store(at + Lanes);
        (Vector512.Load(at + 2 * Lanes) + t2).Store(at + 2 * Lanes);
    }
}
