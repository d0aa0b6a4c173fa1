// Convolution2dReference.cs — 2-D convolution (cross-correlation, as in every CNN library) straight
// from its definition, forward and backward, in double. No im2col, no GEMM: this is what
// Convolution2d (im2col + GEMM) and the Conv2d layer are tested against.
//
//   x: (N, C, H, W)   w: (FN, C, KH, KW)   b: (FN) or empty   y: (N, FN, OH, OW)
//   y[n, f, oh, ow] = b[f] + Σ_c Σ_kh Σ_kw w[f, c, kh, kw] · xpad[n, c, oh*SH − PT + kh*DH, ow*SW − PL + kw*DW]
//   xpad = x inside; 0 (Zero) or x at the clamped index (Replicate) outside.
//
//   dx[n, c, src(ih), src(iw)] += w[f, c, kh, kw] · dy[n, f, oh, ow]     (nothing for a zero pad)
//   dw[f, c, kh, kw]           += Σ_n Σ_oh Σ_ow xpad[n, c, ih, iw] · dy[n, f, oh, ow]
//   db[f]                      += Σ_n Σ_oh Σ_ow dy[n, f, oh, ow]
namespace Cortex.Kernels.Reference;

/// <summary>Naive direct convolution; the specification for <see cref="Convolution2d"/>.</summary>
public static class Convolution2dReference
{
    /// <summary>y: (N, FN, OH, OW) = conv(x: (N, C, H, W), w: (FN, C, KH, KW)) + b (FN); an empty bias means none.</summary>
    public static void Forward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y)
    {
        const string Who = "Convolution2dReference.Forward";
        Convolution2d.ValidateForward(Who, geometry, batch, filters, x.Length, weight.Length, bias.Length, y.Length);
        var g = geometry;
        for (int n = 0; n < batch; n++)
        {
            for (int f = 0; f < filters; f++)
            {
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutputWidth; ow++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[f];
                        for (int c = 0; c < g.Channels; c++)
                        {
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                            {
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    float xv = Im2ColReference.Read(g, x, n, c, oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight,
                                        ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth);
                                    sum += (double)weight[WeightIndex(g, f, c, kh, kw)] * xv;
                                }
                            }
                        }
                        y[((n * filters + f) * g.OutputHeight + oh) * g.OutputWidth + ow] = (float)sum;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Given dy: (N, FN, OH, OW), adds the gradients into dx: (N, C, H, W), dWeight: (FN, C, KH, KW) and dBias: (FN).
    /// An empty dx or dBias is skipped.
    /// </summary>
    public static void Backward(
        in Conv2dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias)
    {
        const string Who = "Convolution2dReference.Backward";
        Convolution2d.ValidateBackward(Who, geometry, batch, filters, x.Length, weight.Length, dy.Length, dx.Length, dWeight.Length, dBias.Length);
        var g = geometry;
        var dxSum = new double[dx.Length];
        var dwSum = new double[dWeight.Length];
        var dbSum = new double[dBias.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int f = 0; f < filters; f++)
            {
                for (int oh = 0; oh < g.OutputHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutputWidth; ow++)
                    {
                        double gradient = dy[((n * filters + f) * g.OutputHeight + oh) * g.OutputWidth + ow];
                        if (!dBias.IsEmpty)
                            dbSum[f] += gradient;
                        for (int c = 0; c < g.Channels; c++)
                        {
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                            {
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                                    int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                                    int wi = WeightIndex(g, f, c, kh, kw);
                                    dwSum[wi] += Im2ColReference.Read(g, x, n, c, ih, iw) * gradient;
                                    int source = Im2ColReference.Source(g, n, c, ih, iw);
                                    if (source >= 0 && !dx.IsEmpty)
                                        dxSum[source] += weight[wi] * gradient;
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dx.Length; i++)
            dx[i] += (float)dxSum[i];
        for (int i = 0; i < dWeight.Length; i++)
            dWeight[i] += (float)dwSum[i];
        for (int i = 0; i < dBias.Length; i++)
            dBias[i] += (float)dbSum[i];
    }

    private static int WeightIndex(in Conv2dGeometry g, int f, int c, int kh, int kw)
        => ((f * g.Channels + c) * g.KernelHeight + kh) * g.KernelWidth + kw;
}
