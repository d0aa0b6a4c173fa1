// AveragePooling2dReference.cs — average pooling from its definition, summed in double, the
// padding rule tested per tap. Slow on purpose; AveragePooling2d is tested against it.
//
//   y[n, c, oh, ow]  = Σ_{taps inside} x[n, c, ih, iw] / divisor
//   dx[n, c, ih, iw] += dy[n, c, oh, ow] / divisor      for every tap inside
//   divisor = KH·KW (countIncludePad) or the number of taps inside; a window with none gives 0.
namespace Cortex.Kernels.Reference;

/// <summary>Naive average pooling; the specification for <see cref="AveragePooling2d"/>.</summary>
public static class AveragePooling2dReference
{
    /// <summary>y: (N, C, OH, OW) from x: (N, C, H, W); see <see cref="AveragePooling2d.Forward"/>.</summary>
    public static void Forward(in Conv2dGeometry geometry, int batch, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        PoolingArguments.Validate("AveragePooling2dReference.Forward", geometry, batch, x.Length, y.Length);
        var g = geometry;
        int plane = g.Height * g.Width;
        for (int p = 0; p < batch * g.Channels; p++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    double sum = 0;
                    int inside = 0;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                            int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                            if (ih < 0 || ih >= g.Height || iw < 0 || iw >= g.Width)
                                continue;
                            sum += x[p * plane + ih * g.Width + iw];
                            inside++;
                        }
                    }
                    int divisor = inside == 0 ? 0 : countIncludePad ? g.KernelHeight * g.KernelWidth : inside;
                    y[(p * g.OutputHeight + oh) * g.OutputWidth + ow] = divisor == 0 ? 0f : (float)(sum / divisor);
                }
            }
        }
    }

    /// <summary>dx: (N, C, H, W) += the share of dy each input tap receives; see <see cref="AveragePooling2d.Backward"/>.</summary>
    public static void Backward(in Conv2dGeometry geometry, int batch, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        PoolingArguments.Validate("AveragePooling2dReference.Backward", geometry, batch, dx.Length, dy.Length, "dx", "dy");
        var g = geometry;
        int plane = g.Height * g.Width;
        var sums = new double[dx.Length];
        for (int p = 0; p < batch * g.Channels; p++)
        {
            for (int oh = 0; oh < g.OutputHeight; oh++)
            {
                for (int ow = 0; ow < g.OutputWidth; ow++)
                {
                    int inside = 0;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                            int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                            if (ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width)
                                inside++;
                        }
                    }
                    if (inside == 0)
                        continue;
                    int divisor = countIncludePad ? g.KernelHeight * g.KernelWidth : inside;
                    double share = (double)dy[(p * g.OutputHeight + oh) * g.OutputWidth + ow] / divisor;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                    {
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                            int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                            if (ih >= 0 && ih < g.Height && iw >= 0 && iw < g.Width)
                                sums[p * plane + ih * g.Width + iw] += share;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dx.Length; i++)
            dx[i] += (float)sums[i];
    }
}
