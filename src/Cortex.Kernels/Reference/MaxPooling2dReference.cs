// MaxPooling2dReference.cs — max pooling from its definition: every tap of every window visited,
// the padding rule tested per tap. Slow on purpose; MaxPooling2d is tested against it.
//
//   y[n, c, oh, ow] = max { x[n, c, ih, iw] : tap (kh, kw) with (ih, iw) inside the input }
//   ih = oh·SH − PT + kh·DH,  iw = ow·SW − PL + kw·DW;  first maximum in (kh, kw) row-major order wins;
//   argMax = ih·W + iw of the winner, −1 when no tap is inside (then y = 0);  dx[argMax] += dy
namespace Cortex.Kernels.Reference;

/// <summary>Naive max pooling; the specification for <see cref="MaxPooling2d"/>.</summary>
public static class MaxPooling2dReference
{
    /// <summary>y, argMax: (N, C, OH, OW) from x: (N, C, H, W); see <see cref="MaxPooling2d.Forward"/>.</summary>
    public static void Forward(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        const string Who = "MaxPooling2dReference.Forward";
        PoolingArguments.Validate(Who, geometry, batch, x.Length, y.Length);
        if (argMax.Length != y.Length)
            ConvolutionArguments.CheckExact(Who, "argMax", PoolingArguments.Outputs(geometry, batch), y.Length, argMax.Length);
        var g = geometry;
        int plane = g.Height * g.Width;
        for (int p = 0; p < batch * g.Channels; p++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    float best = 0f;
                    int at = -1;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                            int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                            if (ih < 0 || ih >= g.Height || iw < 0 || iw >= g.Width)
                                continue;                                   // padding never wins
                            float v = x[p * plane + ih * g.Width + iw];
                            if (at < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                            {
                                best = v;
                                at = ih * g.Width + iw;
                            }
                        }
                    }
                    int o = (p * g.OutputHeight + oh) * g.OutputWidth + ow;
                    y[o] = best;
                    argMax[o] = at;
                }
            }
        }
    }

    /// <summary>dx: (N, C, H, W) += dy routed to each window's arg-max; see <see cref="MaxPooling2d.Backward"/>.</summary>
    public static void Backward(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> dy, ReadOnlySpan<int> argMax, Span<float> dx)
    {
        const string Who = "MaxPooling2dReference.Backward";
        PoolingArguments.Validate(Who, geometry, batch, dx.Length, dy.Length, "dx", "dy");
        if (argMax.Length != dy.Length)
            ConvolutionArguments.CheckExact(Who, "argMax", PoolingArguments.Outputs(geometry, batch), dy.Length, argMax.Length);
        int plane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        for (int o = 0; o < dy.Length; o++)
        {
            if (argMax[o] >= 0)
                dx[o / outPlane * plane + argMax[o]] += dy[o];
        }
    }
}
