// MaxPooling2d.cs — max pooling forward (keeping the arg-max) and backward, over NCHW spans.
//
//   x: (N, C, H, W)   y, argMax: (N, C, OH, OW)   geometry: Conv2dGeometry with Channels = C
//   y[n, c, oh, ow]      = max over taps (kh, kw) inside the input of x[n, c, ih, iw],
//                          ih = oh·SH − PT + kh·DH,  iw = ow·SW − PL + kw·DW
//   argMax[n, c, oh, ow] = ih·W + iw of that maximum (an index within the (H, W) plane)
//   dx[n, c, argMax]    += dy[n, c, oh, ow]                   (the max routes its gradient to the winner)
//
// As the lectures' Pooling class (np.argmax over each window's im2col row): ties go to the FIRST
// tap in row-major window order, so exactly one input receives each output's gradient. Padding
// cells never win: they are not read at all (PyTorch pads max pooling with −∞). A NaN in a window
// wins and propagates, as in PyTorch. A window that lies wholly in padding (possible only with
// padding wider than the kernel, which the layers refuse) gives 0 and argMax −1 (no gradient).
//
// Planes (n, c) are independent: large inputs are split across threads by Parallelism.For.
// The naive twin is Reference/MaxPooling2dReference.cs.
namespace Cortex.Kernels;

/// <summary>Max pooling over (N, C, H, W) spans, with the arg-max kept for backward.</summary>
/// <example><code>
/// // The lectures' example: 2×2 windows, stride 2, on a 4×4 image → [[6, 8], [3, 4]].
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 2, kernelWidth: 2, stride: 2);
/// float[] x = [1, 1, 2, 4,  5, 6, 7, 8,  3, 2, 1, 0,  1, 2, 3, 4], y = new float[4];
/// int[] argMax = new int[4];
/// MaxPooling2d.Forward(g, batch: 1, x, y, argMax);   // y = [6, 8, 3, 4], argMax = [5, 7, 8, 15]
/// </code></example>
public static class MaxPooling2d
{
    /// <summary>y, argMax: (N, C, OH, OW) = max and its plane index over every window of x: (N, C, H, W).</summary>
    /// <exception cref="ArgumentException">A span of the wrong length, or a Replicate geometry.</exception>
    public static void Forward(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        const string Who = "MaxPooling2d.Forward";
        PoolingArguments.Validate(Who, geometry, batch, x.Length, y.Length);
        if (argMax.Length != y.Length)
            ConvolutionArguments.CheckExact(Who, "argMax", PoolingArguments.Outputs(geometry, batch), y.Length, argMax.Length);
        int planes = batch * geometry.Channels;
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        if (PoolingArguments.ShouldSplit(planes, (long)outPlane * geometry.KernelHeight * geometry.KernelWidth))
        {
            ForwardThreaded(geometry, planes, x, y, argMax);
            return;
        }
        for (int p = 0; p < planes; p++)
            ForwardPlane(geometry, x.Slice(p * inPlane, inPlane), y.Slice(p * outPlane, outPlane), argMax.Slice(p * outPlane, outPlane));
    }

    // The threaded path lives in its own method: the closure the lambda needs is then allocated
    // only here, not on entry to Forward (where it would cost the single-threaded path too).
    private static unsafe void ForwardThreaded(in Conv2dGeometry geometry, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        fixed (float* xFixed = x, yFixed = y)
        fixed (int* argFixed = argMax)
        {
            // Lambdas cannot capture fixed locals or `in` parameters: copy them.
            float* xs = xFixed, ys = yFixed;
            int* args = argFixed;
            var g = geometry;
            int chunks = PoolingArguments.Chunks(planes);
            Parallelism.For(chunks, chunk =>
            {
                var (start, end) = PoolingArguments.ChunkRange(chunk, chunks, planes);
                for (int p = start; p < end; p++)
                {
                    ForwardPlane(g, new ReadOnlySpan<float>(xs + (long)p * inPlane, inPlane),
                        new Span<float>(ys + (long)p * outPlane, outPlane), new Span<int>(args + (long)p * outPlane, outPlane));
                }
            });
        }
    }

    /// <summary>
    /// Given dy: (N, C, OH, OW) and the argMax Forward recorded, ADDS each dy into dx: (N, C, H, W)
    /// at its window's maximum. Clear dx first for a plain gradient.
    /// </summary>
    /// <exception cref="ArgumentException">A span of the wrong length, or an argMax index outside its plane.</exception>
    public static void Backward(in Conv2dGeometry geometry, int batch, ReadOnlySpan<float> dy, ReadOnlySpan<int> argMax, Span<float> dx)
    {
        const string Who = "MaxPooling2d.Backward";
        PoolingArguments.Validate(Who, geometry, batch, dx.Length, dy.Length, "dx", "dy");
        if (argMax.Length != dy.Length)
            ConvolutionArguments.CheckExact(Who, "argMax", PoolingArguments.Outputs(geometry, batch), dy.Length, argMax.Length);
        int planes = batch * geometry.Channels;
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        if (PoolingArguments.ShouldSplit(planes, outPlane))
        {
            BackwardThreaded(geometry, planes, dy, argMax, dx);
            return;
        }
        for (int p = 0; p < planes; p++)
            BackwardPlane(dy.Slice(p * outPlane, outPlane), argMax.Slice(p * outPlane, outPlane), dx.Slice(p * inPlane, inPlane));
    }

    private static unsafe void BackwardThreaded(in Conv2dGeometry geometry, int planes, ReadOnlySpan<float> dy, ReadOnlySpan<int> argMax, Span<float> dx)
    {
        int inPlane = geometry.Height * geometry.Width, outPlane = geometry.OutputPlaneSize;
        fixed (float* dyFixed = dy, dxFixed = dx)
        fixed (int* argFixed = argMax)
        {
            float* dys = dyFixed, dxs = dxFixed;
            int* args = argFixed;
            int chunks = PoolingArguments.Chunks(planes);
            Parallelism.For(chunks, chunk =>
            {
                var (start, end) = PoolingArguments.ChunkRange(chunk, chunks, planes);
                for (int p = start; p < end; p++)
                {
                    BackwardPlane(new ReadOnlySpan<float>(dys + (long)p * outPlane, outPlane),
                        new ReadOnlySpan<int>(args + (long)p * outPlane, outPlane), new Span<float>(dxs + (long)p * inPlane, inPlane));
                }
            });
        }
    }

    // One (H, W) plane → one (OH, OW) plane. Only the taps inside the input are visited: the tap
    // range of each axis is found once per window row/column, so the inner loop has no bounds tests.
    private static void ForwardPlane(in Conv2dGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        int width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
        int dh = g.DilationHeight, dw = g.DilationWidth;
        for (int i = 0; i < oh; i++)
        {
            int hs = i * g.StrideHeight - g.PadTop;
            var (khLo, khHi) = PoolingArguments.TapRange(hs, dh, g.Height, g.KernelHeight);
            for (int j = 0; j < ow; j++)
            {
                int ws = j * g.StrideWidth - g.PadLeft;
                var (kwLo, kwHi) = PoolingArguments.TapRange(ws, dw, width, g.KernelWidth);
                float best = float.NegativeInfinity;
                int at = -1;
                for (int kh = khLo; kh < khHi; kh++)
                {
                    int row = (hs + kh * dh) * width + ws;
                    for (int kw = kwLo; kw < kwHi; kw++)
                    {
                        int index = row + kw * dw;
                        float v = x[index];
                        // strictly greater: a tie keeps the first; a NaN wins once and stays
                        if (v > best || at < 0 || (float.IsNaN(v) && !float.IsNaN(best)))
                        {
                            best = v;
                            at = index;
                        }
                    }
                }
                int o = i * ow + j;
                y[o] = at < 0 ? 0f : best;
                argMax[o] = at;
            }
        }
    }

    private static void BackwardPlane(ReadOnlySpan<float> dy, ReadOnlySpan<int> argMax, Span<float> dx)
    {
        for (int o = 0; o < dy.Length; o++)
        {
            int at = argMax[o];
            if (at < 0)
                continue;                                     // a window of padding only: no input to feed
            if (at >= dx.Length)
                throw new ArgumentException($"MaxPooling2d.Backward: expected argMax indices in [−1, {dx.Length}) (an H·W plane), got {at}. Pass the argMax Forward filled.", nameof(argMax));
            dx[at] += dy[o];                                  // dx[argmax] += dy
        }
    }
}
