// Convolution3dReference.cs — 3-D convolution straight from its definition, forward and backward,
// in double. No vol2col, no GEMM: Convolution3d and the Conv3d layer are tested against it.
//
//   y[n, f, od, oh, ow] = b[f] + Σ_c Σ_kd Σ_kh Σ_kw w[f, c, kd, kh, kw] · xpad[n, c, id, ih, iw]
//   id = od·SD − PD + kd·DD (ih, iw likewise);  xpad = x inside, 0 (Zero) or x at the clamped index (Replicate)
//   dx[src] += w · dy;  dw += xpad · dy;  db += dy
namespace Cortex.Kernels.Reference;

/// <summary>Naive direct 3-D convolution; the specification for <see cref="Convolution3d"/>.</summary>
public static class Convolution3dReference
{
    /// <summary>y: (N, FN, OD, OH, OW) = conv(x: (N, C, D, H, W), w: (FN, C, KD, KH, KW)) + b (FN); empty bias = none.</summary>
    public static void Forward(
        in Conv3dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y)
    {
        const string Who = "Convolution3dReference.Forward";
        Convolution3d.Validate(Who, geometry, batch, filters, x.Length, weight.Length, y.Length, "y");
        if (bias.Length != 0)
            ConvolutionArguments.CheckExact(Who, "bias", $"(FN={filters}) or empty", filters, bias.Length);
        var g = geometry;
        int o = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int f = 0; f < filters; f++)
            {
                for (int od = 0; od < g.OutputDepth; od++)
                {
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                    {
                        for (int ow = 0; ow < g.OutputWidth; ow++, o++)
                        {
                            double sum = bias.IsEmpty ? 0 : bias[f];
                            int wi = f * g.PatchSize;
                            for (int c = 0; c < g.Channels; c++)
                            {
                                for (int kd = 0; kd < g.KernelDepth; kd++)
                                {
                                    for (int kh = 0; kh < g.KernelHeight; kh++)
                                    {
                                        for (int kw = 0; kw < g.KernelWidth; kw++, wi++)
                                        {
                                            int source = Source(g, n, c, od, oh, ow, kd, kh, kw);
                                            if (source >= 0)
                                                sum += (double)weight[wi] * x[source];
                                        }
                                    }
                                }
                            }
                            y[o] = (float)sum;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Given dy: (N, FN, OD, OH, OW), adds into dx (N, C, D, H, W), dWeight (FN, C, KD, KH, KW) and dBias (FN); empty dx/dBias skipped.</summary>
    public static void Backward(
        in Conv3dGeometry geometry, int batch, int filters,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dBias)
    {
        Convolution3d.ValidateBackward("Convolution3dReference.Backward", geometry, batch, filters,
            x.Length, weight.Length, dy.Length, dx.Length, dWeight.Length, dBias.Length);
        var g = geometry;
        var dxSum = new double[dx.Length];
        var dwSum = new double[dWeight.Length];
        var dbSum = new double[dBias.Length];
        int o = 0;
        for (int n = 0; n < batch; n++)
        {
            for (int f = 0; f < filters; f++)
            {
                for (int od = 0; od < g.OutputDepth; od++)
                {
                    for (int oh = 0; oh < g.OutputHeight; oh++)
                    {
                        for (int ow = 0; ow < g.OutputWidth; ow++, o++)
                        {
                            double gradient = dy[o];
                            if (!dBias.IsEmpty)
                                dbSum[f] += gradient;
                            int wi = f * g.PatchSize;
                            for (int c = 0; c < g.Channels; c++)
                            {
                                for (int kd = 0; kd < g.KernelDepth; kd++)
                                {
                                    for (int kh = 0; kh < g.KernelHeight; kh++)
                                    {
                                        for (int kw = 0; kw < g.KernelWidth; kw++, wi++)
                                        {
                                            int source = Source(g, n, c, od, oh, ow, kd, kh, kw);
                                            if (source < 0)
                                                continue;                       // a zero pad: no input, no weight gradient
                                            dwSum[wi] += x[source] * gradient;
                                            if (!dx.IsEmpty)
                                                dxSum[source] += weight[wi] * gradient;
                                        }
                                    }
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

    /// <summary>The flat index in x: (N, C, D, H, W) that tap (kd, kh, kw) of window (od, oh, ow) reads, or −1 for a zero pad.</summary>
    private static int Source(in Conv3dGeometry g, int n, int c, int od, int oh, int ow, int kd, int kh, int kw)
    {
        int id = od * g.StrideDepth - g.PadDepth + kd * g.DilationDepth;
        int ih = oh * g.StrideHeight - g.PadHeight + kh * g.DilationHeight;
        int iw = ow * g.StrideWidth - g.PadWidth + kw * g.DilationWidth;
        bool inside = id >= 0 && id < g.Depth && ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width;
        if (!inside && g.PaddingMode == PaddingMode.Zero)
            return -1;
        id = Math.Clamp(id, 0, g.Depth - 1);
        ih = Math.Clamp(ih, 0, g.Height - 1);
        iw = Math.Clamp(iw, 0, g.Width - 1);
        return (((n * g.Channels + c) * g.Depth + id) * g.Height + ih) * g.Width + iw;
    }
}
