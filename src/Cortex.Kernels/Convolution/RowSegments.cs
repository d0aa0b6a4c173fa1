// RowSegments.cs — the row moves of im2col and col2im for stride 1 (and im2col's for stride 2)
// with zero padding, as AVX-512 masked vector operations.
//
// With stride 1, output row i of col row (c, kh, kw) is one input row shifted by wOffset: for
// output columns j in [lo, hi) it reads x[ih, j + wOffset], outside that range it is padding (0).
// A convolution of a small image moves many short segments (LeNet-5's conv2: 1,500 segments of 10
// floats per image); a Span copy or TensorPrimitives call per segment costs more than the move
// itself. Here a segment of up to 16 floats is one masked load and one (masked) store: lanes
// outside [lo, hi) are neither read (a masked load does not touch, or fault on, masked-off memory)
// nor taken, so the padding zeros come for free and the window may hang over either end of the row.
//
// Callers check IsAccelerated and keep their portable loop otherwise.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cortex.Kernels;

internal static unsafe class RowSegments
{
    /// <summary>Whether the masked AVX-512 moves run on this processor.</summary>
    public static bool IsAccelerated => Avx512F.IsSupported;

    /// <summary>
    /// d[j] = lo ≤ j &lt; hi ? s[j] : 0 for j in [0, count). Only s[lo..hi) is read; s may point
    /// outside its row (that is what lo and hi are for).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyWindow(float* s, float* d, int count, int lo, int hi)
    {
        var low = Vector512.Create(lo);
        var high = Vector512.Create(hi);
        for (int j = 0; j < count; j += Vector512<float>.Count)
        {
            var column = Vector512<int>.Indices + Vector512.Create(j);
            var inside = Vector512.GreaterThanOrEqual(column, low) & Vector512.LessThan(column, high);
            var v = Avx512F.MaskLoad(s + j, inside.AsSingle(), Vector512<float>.Zero);
            if (count - j >= Vector512<float>.Count)
                Vector512.Store(v, d + j);
            else
                Avx512F.MaskStore(d + j, Vector512.LessThan(column, Vector512.Create(count)).AsSingle(), v);
        }
    }

    /// <summary>
    /// d[j] = row[start + 2j] for j in [0, count), read as 0 where start + 2j is outside [0, <paramref name="width"/>):
    /// one row of a stride-2 im2col with zero padding (<paramref name="start"/> may be negative). Two masked
    /// loads of 16 input pixels and one even-lane permute per 16 outputs; nothing outside the row is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyEveryOther(float* row, int width, int start, float* d, int count)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var rowWidth = Vector512.Create((uint)width);
        for (int j = 0; j < count; j += Block)
        {
            int first = start + 2 * j;                                   // input column of output j
            var low = Vector512.LessThan((Vector512<int>.Indices + Vector512.Create(first)).AsUInt32(), rowWidth);
            var high = Vector512.LessThan((Vector512<int>.Indices + Vector512.Create(first + Block)).AsUInt32(), rowWidth);
            var v = Avx512F.PermuteVar16x32x2(
                Avx512F.MaskLoad(row + first, low.AsSingle(), Vector512<float>.Zero), even,
                Avx512F.MaskLoad(row + first + Block, high.AsSingle(), Vector512<float>.Zero));
            Store(v, d + j, count - j);
        }
    }

    /// <summary>Pixels in one register block of an input row.</summary>
    public const int Block = 16;

    /// <summary>The first min(<paramref name="count"/>, 16) floats at <paramref name="p"/>, zeros after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p, int count) =>
        count >= Block ? Vector512.Load(p) : Avx512F.MaskLoad(p, FirstLanes(count), Vector512<float>.Zero);

    /// <summary>Stores the first min(<paramref name="count"/>, 16) lanes of <paramref name="v"/> at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, float* p, int count)
    {
        if (count >= Block)
            Vector512.Store(v, p);
        else
            Avx512F.MaskStore(p, FirstLanes(count), v);
    }

    /// <summary>
    /// <paramref name="sum"/> (an input row of at most 16 pixels) plus the taps of one col row segment:
    /// lane iw gets s[iw − wOffset] where 0 ≤ iw − wOffset &lt; count. Lanes past the row's width
    /// collect the right padding's taps; the caller's Store drops them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GatherWindow(Vector512<float> sum, float* s, int wOffset, int count)
    {
        var column = Vector512<int>.Indices - Vector512.Create(wOffset);     // iw − wOffset per lane
        var inside = Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(count));
        return sum + Avx512F.MaskLoad(s - wOffset, inside.AsSingle(), Vector512<float>.Zero);
    }

    /// <summary>d[j] += s[j] for j in [lo, hi); nothing outside that range is read or written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWindow(float* s, float* d, int lo, int hi)
    {
        int j = lo;
        for (; hi - j >= Block; j += Block)
            Vector512.Store(Vector512.Load(d + j) + Vector512.Load(s + j), d + j);
        if (j < hi)
        {
            var mask = FirstLanes(hi - j);
            var sum = Avx512F.MaskLoad(d + j, mask, Vector512<float>.Zero) + Avx512F.MaskLoad(s + j, mask, Vector512<float>.Zero);
            Avx512F.MaskStore(d + j, mask, sum);
        }
    }

    private static Vector512<float> FirstLanes(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
}
