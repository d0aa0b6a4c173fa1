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
// Planes (n, c) are independent: large inputs are split across threads by Parallelism.For (a reused
// body object, no allocation). Plain 2×2/2 windows (no padding or dilation) take an AVX2 gather path.
// The naive twin is Reference/MaxPooling2dReference.cs.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        ForwardPlanes(geometry, planes, x, y, argMax);
    }

    // The threaded path lives in its own method and runs a reused body object (PlaneWork), so
    // neither path allocates: a lambda would capture a new closure per call.
    private static unsafe void ForwardThreaded(in Conv2dGeometry geometry, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        fixed (float* xs = x, ys = y)
        fixed (int* args = argMax)
        {
            var work = PlaneWork.Current;
            work.Set(geometry, planes, backward: false, xs, ys, args);
            try
            {
                Parallelism.For(work.Chunks, work);
            }
            finally
            {
                work.Clear();
            }
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
        fixed (float* dys = dy, dxs = dx)
        fixed (int* args = argMax)
        {
            var work = PlaneWork.Current;
            work.Set(geometry, planes, backward: true, dxs, dys, args);
            try
            {
                Parallelism.For(work.Chunks, work);
            }
            finally
            {
                work.Clear();
            }
        }
    }

    /// <summary>
    /// The body of a threaded call: chunks of planes. One per calling thread ([ThreadStatic]) and
    /// reused, so a parallel call allocates nothing; valid only during that call.
    /// </summary>
    private sealed unsafe class PlaneWork : IParallelWork
    {
        [ThreadStatic]
        private static PlaneWork? _current;

        private Conv2dGeometry _g;
        private int _planes;
        private bool _backward;
        private float* _image;       // x (forward) or dx (backward): (N·C, H, W)
        private float* _outputs;     // y (forward) or dy (backward): (N·C, OH, OW)
        private int* _argMax;

        public static PlaneWork Current => _current ??= new PlaneWork();

        public int Chunks { get; private set; }

        public void Set(in Conv2dGeometry g, int planes, bool backward, float* image, float* outputs, int* argMax)
        {
            _g = g;
            _planes = planes;
            _backward = backward;
            _image = image;
            _outputs = outputs;
            _argMax = argMax;
            Chunks = PoolingArguments.Chunks(planes);
        }

        public void Clear()
        {
            _image = null;
            _outputs = null;
            _argMax = null;
        }

        public void Execute(int chunk)
        {
            int inPlane = _g.Height * _g.Width, outPlane = _g.OutputPlaneSize;
            var (start, end) = PoolingArguments.ChunkRange(chunk, Chunks, _planes);
            int count = end - start;
            var image = new Span<float>(_image + (long)start * inPlane, count * inPlane);
            var outputs = new Span<float>(_outputs + (long)start * outPlane, count * outPlane);
            var args = new Span<int>(_argMax + (long)start * outPlane, count * outPlane);
            if (_backward)
            {
                for (int p = 0; p < count; p++)
                    BackwardPlane(outputs.Slice(p * outPlane, outPlane), args.Slice(p * outPlane, outPlane), image.Slice(p * inPlane, inPlane));
            }
            else
            {
                ForwardPlanes(_g, count, image, outputs, args);
            }
        }
    }

    /// <summary>Largest output plane (OH·OW) whose window offsets the gather path keeps on the stack.</summary>
    private const int MaxGatherPlane = 4096;

    // Consecutive planes; the plain 2×2 case goes through the gather path when the CPU has AVX2.
    private static void ForwardPlanes(in Conv2dGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        int inPlane = g.Height * g.Width, outPlane = g.OutputPlaneSize;
        if (Avx2.IsSupported && IsPlain2x2(g) && outPlane <= MaxGatherPlane)
        {
            // offsets[o] = index of window o's top-left tap in its plane: 2i·W + 2j for o = i·OW + j
            Span<int> offsets = stackalloc int[outPlane];
            for (int o = 0; o < outPlane; o++)
                offsets[o] = 2 * (o / g.OutputWidth) * g.Width + 2 * (o % g.OutputWidth);
            for (int p = 0; p < planes; p++)
                ForwardPlane2x2Gather(g.Width, offsets, x.Slice(p * inPlane, inPlane), y.Slice(p * outPlane, outPlane), argMax.Slice(p * outPlane, outPlane));
            return;
        }
        for (int p = 0; p < planes; p++)
            ForwardPlane(g, x.Slice(p * inPlane, inPlane), y.Slice(p * outPlane, outPlane), argMax.Slice(p * outPlane, outPlane));
    }

    // The plain 2×2 case, eight windows at a time: the four taps of windows o..o+7 are gathered
    // (their top-left offsets, +1, +W, +W+1), and the winner is found as a left-preferring
    // tournament — (a vs b), (c vs d), then the two winners — which picks the same tap as the
    // sequential first-wins scan (strictly greater wins, ties and later NaNs go left, a first NaN
    // wins). Why gathers: LeNet's planes are 28 and 10 wide, so a row holds fewer windows than a
    // vector; the flat window list does not care where rows end. The last OH·OW mod 8 windows go
    // through the scalar path.
    private static unsafe void ForwardPlane2x2Gather(int width, ReadOnlySpan<int> offsets, ReadOnlySpan<float> x, Span<float> y, Span<int> argMax)
    {
        int count = offsets.Length;
        Debug.Assert(y.Length == count && argMax.Length == count);
        fixed (float* xs = x, ys = y)
        fixed (int* args = argMax, offs = offsets)
        {
            var one = Vector256.Create(1);
            var down = Vector256.Create(width);
            int o = 0;
            for (; o <= count - 8; o += 8)
            {
                var ia = Vector256.Load(offs + o);
                var ib = ia + one;
                var ic = ia + down;
                var id = ic + one;
                var a = Avx2.GatherVector256(xs, ia, 4);
                var b = Avx2.GatherVector256(xs, ib, 4);
                var c = Avx2.GatherVector256(xs, ic, 4);
                var d = Avx2.GatherVector256(xs, id, 4);
                var takeB = Wins(b, a);
                var ab = Vector256.ConditionalSelect(takeB, b, a);
                var iab = Vector256.ConditionalSelect(takeB.AsInt32(), ib, ia);
                var takeD = Wins(d, c);
                var cd = Vector256.ConditionalSelect(takeD, d, c);
                var icd = Vector256.ConditionalSelect(takeD.AsInt32(), id, ic);
                var takeCd = Wins(cd, ab);
                Vector256.ConditionalSelect(takeCd, cd, ab).Store(ys + o);
                Vector256.ConditionalSelect(takeCd.AsInt32(), icd, iab).Store(args + o);
            }
            for (; o < count; o++)
            {
                int a = offsets[o], c = a + width;
                float best = x[a];
                int at = a;
                Take(ref best, ref at, x[a + 1], a + 1);
                Take(ref best, ref at, x[c], c);
                Take(ref best, ref at, x[c + 1], c + 1);
                y[o] = best;
                argMax[o] = at;
            }
        }
    }

    // Lanes where the later tap v replaces the current winner w: v > w, or v is NaN and w is not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Wins(Vector256<float> v, Vector256<float> w) =>
        Vector256.GreaterThan(v, w) | Vector256.AndNot(Vector256.IsNaN(v), Vector256.IsNaN(w));

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

    /// <summary>2×2 windows, stride 2, no padding, no dilation: LeNet's, VGG's and most CNNs' pooling.</summary>
    private static bool IsPlain2x2(in Conv2dGeometry g) =>
        g.KernelHeight == 2 && g.KernelWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2 &&
        g.DilationHeight == 1 && g.DilationWidth == 1 && !g.IsPadded;

    // best, at ← v, index when v is strictly greater (a tie keeps the first), or v is the first NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref float best, ref int at, float v, int index)
    {
        bool take = v > best | (float.IsNaN(v) & !float.IsNaN(best));
        best = take ? v : best;
        at = take ? index : at;
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
