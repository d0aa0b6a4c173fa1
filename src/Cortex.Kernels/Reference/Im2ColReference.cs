// Im2ColReference.cs — the naive im2col that defines what Im2Col computes: one loop per index,
// the padding rule applied to every element. Slow on purpose; tests compare the fast kernel to it.
//
//   x: (C, H, W)   col: (C*KH*KW, OH*OW)   row r = (c*KH + kh)*KW + kw, column p = oh*OW + ow
//   col[r, p] = x[c, ih, iw]   with ih = oh*SH − PT + kh*DH,  iw = ow*SW − PL + kw*DW
//   outside the input: 0 (Zero) or x[c, clamp(ih), clamp(iw)] (Replicate)
namespace Cortex.Kernels.Reference;

/// <summary>Naive im2col; the specification for <see cref="Im2Col"/>.</summary>
public static class Im2ColReference
{
    /// <summary>x: (C, H, W) → col: (C·KH·KW, OH·OW); see <see cref="Im2Col.Unfold"/>.</summary>
    public static void Unfold(in Conv2dGeometry geometry, ReadOnlySpan<float> x, Span<float> col)
        => UnfoldBatch(geometry, 1, x, col);

    /// <summary>x: (N, C, H, W) → col: (C·KH·KW, N·OH·OW); see <see cref="Im2Col.UnfoldBatch"/>.</summary>
    public static void UnfoldBatch(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> x, Span<float> col)
    {
        const string Who = "Im2ColReference.Unfold";
        Im2Col.Validate(Who, geometry, batch, x.Length, col.Length, "x");
        var g = geometry;
        int ldCol = batch * g.OutputPlaneSize;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int r = (c * g.KernelHeight + kh) * g.KernelWidth + kw;
                        for (int oh = 0; oh < g.OutputHeight; oh++)
                        {
                            for (int ow = 0; ow < g.OutputWidth; ow++)
                            {
                                int p = n * g.OutputPlaneSize + oh * g.OutputWidth + ow;
                                col[r * ldCol + p] = Read(g, x, n, c, oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight,
                                    ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>x[n, c, ih, iw] with the padding rule applied when (ih, iw) lies outside the input.</summary>
    internal static float Read(in Conv2dGeometry g, ReadOnlySpan<float> x, int n, int c, int ih, int iw)
    {
        bool inside = ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width;
        if (!inside && g.PaddingMode == PaddingMode.Zero)
            return 0f;
        return x[Index(g, n, c, Math.Clamp(ih, 0, g.Height - 1), Math.Clamp(iw, 0, g.Width - 1))];
    }

    /// <summary>
    /// Where the value read at (ih, iw) comes from: its flat index in x: (N, C, H, W), or −1 for a zero pad.
    /// This is also where its gradient goes.
    /// </summary>
    internal static int Source(in Conv2dGeometry g, int n, int c, int ih, int iw)
    {
        bool inside = ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width;
        if (!inside && g.PaddingMode == PaddingMode.Zero)
            return -1;
        return Index(g, n, c, Math.Clamp(ih, 0, g.Height - 1), Math.Clamp(iw, 0, g.Width - 1));
    }

    private static int Index(in Conv2dGeometry g, int n, int c, int ih, int iw)
        => ((n * g.Channels + c) * g.Height + ih) * g.Width + iw;
}
