// Im2Col.cs — image to columns: lays every receptive field of an image out as one column, so
// that a convolution becomes one matrix product.
//
//   x: (C, H, W)   col: (C*KH*KW, OH*OW)   row r = (c*KH + kh)*KW + kw, column p = oh*OW + ow
//   col[r, p] = x[c, oh*SH − PT + kh*DH, ow*SW − PL + kw*DW]   (0 or the edge value outside, per PaddingMode)
//
//   Conv forward:  Y (FN, OH*OW) = W (FN, C*KH*KW) · col          — W is the (FN, C, KH, KW) filter as stored
//   Conv backward: dW += dY · colᵀ,   dcol = Wᵀ · dY,   dx += col2im(dcol)
//
// Batched form: x: (N, C, H, W) → col: (C*KH*KW, N*OH*OW), image n in columns [n*OH*OW, (n+1)*OH*OW),
// so one GEMM covers a whole batch (Y then comes out as (FN, N, OH, OW): a transpose away from NCHW).
//
// The lectures' Python im2col (deep-learning-from-scratch) makes the transpose of this:
// col_lecture: (N*OH*OW, C*FH*FW), one receptive field per ROW, and computes out = col · W.reshape(FN, −1)ᵀ.
// Same numbers: col_lecture[n*OH*OW + p, r] == col_ours[r, n*OH*OW + p]. We keep fields in columns
// because the row-major GEMM then reads the filters as stored and writes Y already channel-major.
//
// Speed: for each (c, kh, kw) the columns ow whose tap lands inside the row form one contiguous range
// [owLo, owHi), found once per (c, kh, kw); only the ends of a row are padding. With stride 1 and
// zero padding on AVX-512, each output row is masked 16-lane moves that read only [owLo, owHi) and
// write the padding zeros in the same store (RowSegments.cs; LeNet-5's conv2 unfolds in half the
// time of a Span copy per row). Otherwise, with stride 1 the inside range is one contiguous copy
// (memmove); with stride 2 and zero padding on AVX-512, masked loads of the row and an even-lane
// permute (ResNet-20's transitions unfolded 2.5–4× slower as a scalar gather); with other strides a
// strided gather with no bounds checks. Rows that fall wholly in the top/bottom padding are a fill
// (zero) or the clamped edge row.
// Single-threaded on purpose: callers parallelize over the batch, and the work is memory-bound.
// The naive twin is Reference/Im2ColReference.cs.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cortex.Kernels;

/// <summary>im2col: unfolds every receptive field of an image into a column of a matrix.</summary>
/// <example><code>
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3);
/// var col = new float[g.ColumnSize];                       // (9, 4)
/// Im2Col.Unfold(g, x, col);
/// Gemm.Multiply(false, false, filters, g.OutputPlaneSize, g.PatchSize, 1f, w, g.PatchSize, col, g.OutputPlaneSize, 0f, y, g.OutputPlaneSize);
/// </code></example>
public static class Im2Col
{
    /// <summary>
    /// x: (C, H, W) → col: (C·KH·KW, OH·OW), row-major. <paramref name="col"/> may be longer than
    /// <see cref="Conv2dGeometry.ColumnSize"/>; only the first ColumnSize elements are written.
    /// </summary>
    /// <exception cref="ArgumentException">x is not C·H·W long, or col is shorter than ColumnSize.</exception>
    public static void Unfold(in Conv2dGeometry geometry, ReadOnlySpan<float> x, Span<float> col)
    {
        Validate("Im2Col.Unfold", geometry, 1, x.Length, col.Length, "x");
        UnfoldImage(geometry, x, col, 0, geometry.OutputPlaneSize);
    }

    /// <summary>
    /// x: (N, C, H, W) → col: (C·KH·KW, N·OH·OW), row-major; image n fills columns [n·OH·OW, (n+1)·OH·OW).
    /// </summary>
    /// <exception cref="ArgumentException">x is not N·C·H·W long, or col is shorter than N·ColumnSize.</exception>
    public static void UnfoldBatch(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> x, Span<float> col)
    {
        Validate("Im2Col.UnfoldBatch", geometry, batch, x.Length, col.Length, "x");
        int inputSize = geometry.InputSize, plane = geometry.OutputPlaneSize, ldCol = batch * plane;
        for (int n = 0; n < batch; n++)
            UnfoldImage(geometry, x.Slice(n * inputSize, inputSize), col, n * plane, ldCol);
    }

    /// <summary>Checks shared by im2col, col2im and their reference twins: image length exact, col at least its size.</summary>
    internal static void Validate(string who, in Conv2dGeometry geometry, int batch, int imageLength, int colLength, string imageName)
    {
        geometry.EnsureInitialized(who);
        // Fast path first: the messages below are formatted eagerly, and this runs per image inside
        // the training loop, which must not allocate.
        if (batch >= 0 && imageLength == (long)batch * geometry.InputSize && colLength >= (long)batch * geometry.ColumnSize)
            return;
        ConvolutionArguments.CheckBatch(who, batch);
        ConvolutionArguments.CheckExact(who, imageName,
            batch == 1 ? ConvolutionArguments.Image(geometry) : ConvolutionArguments.Images(geometry, batch),
            (long)batch * geometry.InputSize, imageLength);
        ConvolutionArguments.CheckAtLeast(who, "col", ConvolutionArguments.Column(geometry, batch),
            (long)batch * geometry.ColumnSize, colLength);
    }

    /// <summary>
    /// One image into columns [colOffset, colOffset + OH·OW) of a col matrix with row stride ldCol.
    /// </summary>
    private static void UnfoldImage(in Conv2dGeometry g, ReadOnlySpan<float> x, Span<float> col, int colOffset, int ldCol)
    {
        if (g.PaddingMode == PaddingMode.Zero && RowSegments.IsAccelerated && (g.StrideWidth == 1 || (g.StrideWidth == 2 && g.DilationWidth == 1)))
        {
            UnfoldImageMasked(g, x, col, colOffset, ldCol);
            return;
        }

        int height = g.Height, width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
        int sh = g.StrideHeight, sw = g.StrideWidth;
        bool replicate = g.PaddingMode == PaddingMode.Replicate;
        int row = 0;
        for (int c = 0; c < g.Channels; c++)
        {
            var plane = x.Slice(c * height * width, height * width);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                int hOffset = kh * g.DilationHeight - g.PadTop;                 // ih = oh*SH + hOffset
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    int wOffset = kw * g.DilationWidth - g.PadLeft;             // iw = ow*SW + wOffset
                    var (lo, hi) = InsideRange(wOffset, sw, width, ow);      // iw in [0, W) ⇔ ow in [lo, hi)
                    var dst = col.Slice(row * ldCol + colOffset, oh * ow);
                    for (int i = 0; i < oh; i++)
                    {
                        var d = dst.Slice(i * ow, ow);
                        int ih = i * sh + hOffset;
                        if ((uint)ih >= (uint)height)
                        {
                            if (!replicate)
                            {
                                d.Clear();                                    // a row of the zero border
                                continue;
                            }
                            ih = Math.Clamp(ih, 0, height - 1);               // the edge row, repeated
                        }
                        var src = plane.Slice(ih * width, width);
                        if (lo > 0)
                            d[..lo].Fill(replicate ? src[0] : 0f);
                        if (hi < ow)
                            d[hi..].Fill(replicate ? src[width - 1] : 0f);
                        if (hi == lo)
                            continue;                                         // every tap of this row is padding
                        if (sw == 1)
                            src.Slice(lo + wOffset, hi - lo).CopyTo(d[lo..hi]);
                        else
                            GatherStrided(src, lo * sw + wOffset, sw, d[lo..hi]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// UnfoldImage for zero padding and stride 1 across (each output row one masked move) or stride 2
    /// (masked loads and an even-lane permute), with RowSegments.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UnfoldImageMasked(in Conv2dGeometry g, ReadOnlySpan<float> x, Span<float> col, int colOffset, int ldCol)
    {
        int height = g.Height, width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth, sh = g.StrideHeight;
        bool everyOther = g.StrideWidth == 2;
        fixed (float* px = x)
        fixed (float* pcol = col)
        {
            float* dst = pcol + colOffset;
            for (int c = 0; c < g.Channels; c++)
            {
                float* plane = px + (nint)c * height * width;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    int hOffset = kh * g.DilationHeight - g.PadTop;                 // ih = oh*SH + hOffset
                    for (int kw = 0; kw < g.KernelWidth; kw++, dst += ldCol)
                    {
                        int wOffset = kw * g.DilationWidth - g.PadLeft;             // iw = ow*SW + wOffset
                        var (lo, hi) = InsideRange(wOffset, 1, width, ow);          // the window of stride 1
                        for (int i = 0; i < oh; i++)
                        {
                            int ih = i * sh + hOffset;
                            if ((uint)ih >= (uint)height)
                                RowSegments.CopyWindow(plane, dst + i * ow, ow, 0, 0);  // a top or bottom border row: an empty window writes zeros
                            else if (everyOther)
                                RowSegments.CopyEveryOther(plane + ih * width, width, wOffset, dst + i * ow, ow);
                            else
                                RowSegments.CopyWindow(plane + ih * width + wOffset, dst + i * ow, ow, lo, hi);
                        }
                    }
                }
            }
        }
    }

    /// <summary>d[j] = src[start + j*stride] for every j; the caller guarantees the range is inside src.</summary>
    private static void GatherStrided(ReadOnlySpan<float> src, int start, int stride, Span<float> d)
    {
        Debug.Assert(d.Length == 0 || (start >= 0 && start + (long)(d.Length - 1) * stride < src.Length));
        ref float s = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), start);
        ref float t = ref MemoryMarshal.GetReference(d);
        for (int j = 0; j < d.Length; j++)
            Unsafe.Add(ref t, j) = Unsafe.Add(ref s, j * stride);
    }

    /// <summary>
    /// The output columns [lo, hi) whose tap iw = ow·stride + offset lands inside [0, size), clamped to
    /// [0, outputs]. Columns before lo read the left pad, columns from hi on the right pad.
    /// </summary>
    internal static (int Lo, int Hi) InsideRange(int offset, int stride, int size, int outputs)
    {
        // ow·stride + offset ≥ 0        ⇔ ow ≥ ⌈−offset / stride⌉
        // ow·stride + offset ≤ size − 1 ⇔ ow ≤ ⌊(size − 1 − offset) / stride⌋
        int lo = Math.Clamp(-FloorDiv(offset, stride), 0, outputs);
        int hi = Math.Clamp(FloorDiv(size - 1 - offset, stride) + 1, lo, outputs);
        return (lo, hi);
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
