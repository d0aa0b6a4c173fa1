// Col2ImReference.cs — the naive col2im that defines what Col2Im computes: every element of col
// is added to the input pixel it was read from by im2col (nothing, for a zero pad; the edge pixel
// it copied, for a replicate pad). Slow on purpose; tests compare the fast kernel to it.
//
//   col: (C*KH*KW, OH*OW)   dx: (C, H, W)
//   dx[c, src(ih), src(iw)] += col[r, p]   r = (c*KH + kh)*KW + kw,  p = oh*OW + ow
namespace Cortex.Kernels.Reference;

/// <summary>Naive col2im (the adjoint of im2col); the specification for <see cref="Col2Im"/>.</summary>
public static class Col2ImReference
{
    /// <summary>dx: (C, H, W) += col2im(col: (C·KH·KW, OH·OW)); see <see cref="Col2Im.Accumulate"/>.</summary>
    public static void Accumulate(in Conv2dGeometry geometry, ReadOnlySpan<float> col, Span<float> dx)
        => AccumulateBatch(geometry, 1, col, dx);

    /// <summary>dx: (N, C, H, W) += col2im(col: (C·KH·KW, N·OH·OW)); see <see cref="Col2Im.AccumulateBatch"/>.</summary>
    public static void AccumulateBatch(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> col, Span<float> dx)
    {
        const string Who = "Col2ImReference.Accumulate";
        Im2Col.Validate(Who, geometry, batch, dx.Length, col.Length, "dx");
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
                                int source = Im2ColReference.Source(g, n, c, oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight,
                                    ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth);
                                if (source >= 0)
                                    dx[source] += col[r * ldCol + p];
                            }
                        }
                    }
                }
            }
        }
    }
}
