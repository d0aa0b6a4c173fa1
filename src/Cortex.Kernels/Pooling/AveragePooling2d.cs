// AveragePooling2d.cs — average pooling forward and backward over NCHW spans.
//
//   x: (N, C, H, W)   y: (N, C, OH, OW)   geometry: Conv2dGeometry with Channels = C
//   y[n, c, oh, ow]  = (Σ over taps inside the input of x[n, c, ih, iw]) / divisor
//   dx[n, c, ih, iw] += dy[n, c, oh, ow] / divisor              for every tap inside the input
//   divisor = KH·KW                        countIncludePad = true  (padding cells count as zeros)
//           = number of taps inside input  countIncludePad = false (padding cells are left out)
//
// countIncludePad = true is PyTorch's default for AvgPool2d (count_include_pad=True); false is what
// Keras/TensorFlow do for padding="same". Without padding the two agree. Windows never extend past
// the padded input (output sizes are floored), so KH·KW is also PyTorch's divisor. A window wholly
// in padding (padding wider than the kernel, which the layers refuse) gives 0.
//
// Planes (n, c) are independent: large inputs are split across threads by Parallelism.For.
// The naive twin is Reference/AveragePooling2dReference.cs.
namespace Cortex.Kernels;

/// <summary>Average pooling over (N, C, H, W) spans.</summary>
/// <example><code>
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 2, kernelWidth: 2, stride: 2);
/// AveragePooling2d.Forward(g, batch: 1, countIncludePad: true, x, y);   // each y = mean of a 2×2 block
/// </code></example>
public static class AveragePooling2d
{
    /// <summary>y: (N, C, OH, OW) = the mean of every window of x: (N, C, H, W).</summary>
    /// <exception cref="ArgumentException">A span of the wrong length, or a Replicate geometry.</exception>
    public static void Forward(in Conv2dGeometry geometry, int batch, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        PoolingArguments.Validate("AveragePooling2d.Forward", geometry, batch, x.Length, y.Length);
        int planes = batch * geometry.Channels;
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        if (PoolingArguments.ShouldSplit(planes, (long)outPlane * geometry.KernelHeight * geometry.KernelWidth))
        {
            ForwardThreaded(geometry, planes, countIncludePad, x, y);
            return;
        }
        for (int p = 0; p < planes; p++)
            ForwardPlane(geometry, countIncludePad, x.Slice(p * inPlane, inPlane), y.Slice(p * outPlane, outPlane));
    }

    // Own method, so the lambda's closure is allocated only on the threaded path.
    private static unsafe void ForwardThreaded(in Conv2dGeometry geometry, int planes, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        fixed (float* xFixed = x, yFixed = y)
        {
            float* xs = xFixed, ys = yFixed;   // lambdas cannot capture fixed locals or `in` parameters
            var g = geometry;
            int chunks = PoolingArguments.Chunks(planes);
            Parallelism.For(chunks, chunk =>
            {
                var (start, end) = PoolingArguments.ChunkRange(chunk, chunks, planes);
                for (int p = start; p < end; p++)
                    ForwardPlane(g, countIncludePad, new ReadOnlySpan<float>(xs + (long)p * inPlane, inPlane), new Span<float>(ys + (long)p * outPlane, outPlane));
            });
        }
    }

    /// <summary>Given dy: (N, C, OH, OW), ADDS dL/dx into dx: (N, C, H, W). Clear dx first for a plain gradient.</summary>
    /// <exception cref="ArgumentException">A span of the wrong length, or a Replicate geometry.</exception>
    public static void Backward(in Conv2dGeometry geometry, int batch, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        PoolingArguments.Validate("AveragePooling2d.Backward", geometry, batch, dx.Length, dy.Length, "dx", "dy");
        int planes = batch * geometry.Channels;
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        if (PoolingArguments.ShouldSplit(planes, (long)outPlane * geometry.KernelHeight * geometry.KernelWidth))
        {
            BackwardThreaded(geometry, planes, countIncludePad, dy, dx);
            return;
        }
        for (int p = 0; p < planes; p++)
            BackwardPlane(geometry, countIncludePad, dy.Slice(p * outPlane, outPlane), dx.Slice(p * inPlane, inPlane));
    }

    private static unsafe void BackwardThreaded(in Conv2dGeometry geometry, int planes, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        fixed (float* dyFixed = dy, dxFixed = dx)
        {
            float* dys = dyFixed, dxs = dxFixed;
            var g = geometry;
            int chunks = PoolingArguments.Chunks(planes);
            Parallelism.For(chunks, chunk =>
            {
                var (start, end) = PoolingArguments.ChunkRange(chunk, chunks, planes);
                for (int p = start; p < end; p++)
                    BackwardPlane(g, countIncludePad, new ReadOnlySpan<float>(dys + (long)p * outPlane, outPlane), new Span<float>(dxs + (long)p * inPlane, inPlane));
            });
        }
    }

    private static void ForwardPlane(in Conv2dGeometry g, bool countIncludePad, ReadOnlySpan<float> x, Span<float> y)
    {
        int width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
        int dh = g.DilationHeight, dw = g.DilationWidth, taps = g.KernelHeight * g.KernelWidth;
        for (int i = 0; i < oh; i++)
        {
            int hs = i * g.StrideHeight - g.PadTop;
            var (khLo, khHi) = PoolingArguments.TapRange(hs, dh, g.Height, g.KernelHeight);
            for (int j = 0; j < ow; j++)
            {
                int ws = j * g.StrideWidth - g.PadLeft;
                var (kwLo, kwHi) = PoolingArguments.TapRange(ws, dw, width, g.KernelWidth);
                float sum = 0f;
                for (int kh = khLo; kh < khHi; kh++)
                {
                    int row = (hs + kh * dh) * width + ws;
                    for (int kw = kwLo; kw < kwHi; kw++)
                        sum += x[row + kw * dw];
                }
                int divisor = Divisor(countIncludePad, taps, khLo, khHi, kwLo, kwHi);
                y[i * ow + j] = divisor == 0 ? 0f : sum / divisor;
            }
        }
    }

    private static void BackwardPlane(in Conv2dGeometry g, bool countIncludePad, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
        int dh = g.DilationHeight, dw = g.DilationWidth, taps = g.KernelHeight * g.KernelWidth;
        for (int i = 0; i < oh; i++)
        {
            int hs = i * g.StrideHeight - g.PadTop;
            var (khLo, khHi) = PoolingArguments.TapRange(hs, dh, g.Height, g.KernelHeight);
            for (int j = 0; j < ow; j++)
            {
                int ws = j * g.StrideWidth - g.PadLeft;
                var (kwLo, kwHi) = PoolingArguments.TapRange(ws, dw, width, g.KernelWidth);
                int divisor = Divisor(countIncludePad, taps, khLo, khHi, kwLo, kwHi);
                if (divisor == 0)
                    continue;
                float share = dy[i * ow + j] / divisor;                       // each tap got 1/divisor of y
                for (int kh = khLo; kh < khHi; kh++)
                {
                    int row = (hs + kh * dh) * width + ws;
                    for (int kw = kwLo; kw < kwHi; kw++)
                        dx[row + kw * dw] += share;
                }
            }
        }
    }

    private static int Divisor(bool countIncludePad, int taps, int khLo, int khHi, int kwLo, int kwHi)
    {
        int inside = Math.Max(0, khHi - khLo) * Math.Max(0, kwHi - kwLo);
        return inside == 0 ? 0 : countIncludePad ? taps : inside;
    }
}
