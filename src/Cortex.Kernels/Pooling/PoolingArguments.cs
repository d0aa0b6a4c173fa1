// PoolingArguments.cs — what every pooling kernel and reference twin checks at its entry, and the
// one helper they share: which taps of a window land inside the input.
//
//   window (oh, ow) starts at (hs, ws) = (oh·SH − PT, ow·SW − PL); tap (kh, kw) reads (hs + kh·DH, ws + kw·DW)
//   TapRange gives the taps [lo, hi) of one axis that fall inside [0, size): the rest are padding.
namespace Cortex.Kernels;

internal static class PoolingArguments
{
    /// <summary>Geometry built, padding Zero, x: (N, C, H, W) and y: (N, C, OH, OW) exactly.</summary>
    public static void Validate(string who, in Conv2dGeometry g, int batch, int xLength, int yLength, string xName = "x", string yName = "y", string geometryName = "geometry")
    {
        g.EnsureInitialized(who);
        if (batch >= 0 && g.PaddingMode == PaddingMode.Zero && xLength == (long)batch * g.InputSize &&
            yLength == (long)batch * g.Channels * g.OutputPlaneSize)
            return;                                                     // the messages below are formatted eagerly: skip them
        ConvolutionArguments.CheckBatch(who, batch);
        if (g.PaddingMode != PaddingMode.Zero)
            throw new ArgumentException(
                $"{who}: expected PaddingMode.Zero, got {g.PaddingMode}. Pooling never reads its padding (a pad never wins a max; " +
                "an average counts it as 0 or leaves it out), so there is nothing to replicate.", geometryName);
        ConvolutionArguments.CheckExact(who, xName, ConvolutionArguments.Images(g, batch), (long)batch * g.InputSize, xLength);
        ConvolutionArguments.CheckExact(who, yName, Outputs(g, batch), (long)batch * g.Channels * g.OutputPlaneSize, yLength);
    }

    public static string Outputs(in Conv2dGeometry g, int batch) =>
        $"(N={batch}, C={g.Channels}, OH={g.OutputHeight}, OW={g.OutputWidth})";

    /// <summary>
    /// The taps k ∈ [lo, hi) of a window starting at <paramref name="start"/> whose position
    /// start + k·dilation lies inside [0, size); empty (lo ≥ hi) when the window is all padding.
    /// </summary>
    public static (int Lo, int Hi) TapRange(int start, int dilation, int size, int kernel)
    {
        int lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;      // ⌈−start / D⌉
        int last = size - 1 - start;                                        // k·D ≤ size − 1 − start
        int hi = last < 0 ? 0 : Math.Min(kernel, last / dilation + 1);
        return (lo, hi);
    }

    /// <summary>
    /// Whether to split the planes across threads: only when there is more than one thread to use
    /// and enough work to pay for the hand-off (2^16 taps, ~40 µs on one core). In a training step
    /// the helper is usually still spinning from the convolution before, and one that is asleep is
    /// not waited for (the caller takes back its share, see WorkerPool), so a split costs little
    /// even when it does not help; LeNet-5's first pooling (2^18 taps) runs in about half the time.
    /// </summary>
    public static bool ShouldSplit(int planes, long workPerPlane) =>
        planes > 1 && Parallelism.MaxDegree > 1 && planes * workPerPlane >= 1 << 16;

    /// <summary>How many chunks of planes to hand out: a few per thread, for balance.</summary>
    public static int Chunks(int planes) => Math.Min(planes, Parallelism.MaxDegree * 4);

    /// <summary>Planes [start, end) of chunk <paramref name="chunk"/> of <paramref name="chunks"/>.</summary>
    public static (int Start, int End) ChunkRange(int chunk, int chunks, int planes) =>
        ((int)((long)chunk * planes / chunks), (int)((long)(chunk + 1) * planes / chunks));
}
