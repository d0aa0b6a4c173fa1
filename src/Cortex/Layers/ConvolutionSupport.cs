// ConvolutionSupport.cs — what Conv1d, Conv2d and Conv3d share: the default (He-normal) initialization, the
// "features.3 (Conv2d 16@5×5)" name used in their errors, and grouped convolution on top of the
// Convolution2d kernel.
//
// Groups (AlexNet's two towers, ResNeXt, depthwise): input channels and filters are split into G
// groups; group g's filters see only group g's channels.
//   x: (N, C, H, W)   w: (FN, C/G, KH, KW)   y: (N, FN, OH, OW)
//   y[n, g·FN/G : (g+1)·FN/G] = conv(x[n, g·C/G : (g+1)·C/G], w[g·FN/G : (g+1)·FN/G])
// Every one of those slices is contiguous in NCHW (and in the filter bank), so each (image, group)
// is one call of the ungrouped kernel with batch 1 on span slices: no copies, no strides.
using Cortex.Initializers;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Layers;

internal static class ConvolutionSupport
{
    [ThreadStatic]
    private static float[]? _scratch;

    /// <summary>
    /// The calling thread's convolution scratch (im2col/vol2col columns, per-chunk partial sums), at
    /// least <paramref name="size"/> floats, grown only when a layer needs more than any before it.
    /// One buffer for every convolution layer: a layer uses it only inside one Forward or Backward
    /// call, so a deep network keeps the largest layer's scratch, not the sum of all of them.
    /// </summary>
    public static Span<float> Scratch(int size)
    {
        if (_scratch is null || _scratch.Length < size)
            _scratch = new float[size];
        return _scratch;
    }

    /// <summary>
    /// The initial filters: <paramref name="init"/>, by default He-normal N(0, 2 / fan_in) with
    /// fan_in = C/groups · kernel volume read from the (FN, C/groups, K…) shape (He et al. 2015,
    /// "Delving Deep into Rectifiers": the variance that keeps ReLU activations from shrinking or growing).
    /// </summary>
    public static Tensor InitialWeight(Shape shape, Initializer? init, CortexRandom? random)
    {
        var w = new Tensor(shape);
        (init ?? HeNormal.Instance).Initialize(w, random);
        return w;
    }

    /// <summary>
    /// <paramref name="buffer"/> when it already has the given dimensions, else a new zeroed tensor
    /// stored into it. Like Layer.Reuse, but compares the dimensions before building a Shape (which
    /// allocates), so the steady state allocates nothing.
    /// </summary>
    public static Tensor Reuse(ref Tensor? buffer, ReadOnlySpan<int> dimensions)
    {
        if (buffer is null || !buffer.Shape.Dimensions.SequenceEqual(dimensions))
            buffer = new Tensor(new Shape(dimensions));
        return buffer;
    }

    /// <summary>"features.3 (Conv2d 16@5×5)": the layer's path (or name) and its kind with a detail.</summary>
    public static string Who(Layer layer, string detail) =>
        $"{(layer.Path.Length == 0 ? layer.Name : layer.Path)} ({layer.Kind} {detail})";

    /// <summary>Constructor checks shared by the convolution layers (no path exists yet: the message names the kind).</summary>
    public static void CheckChannels(string kind, int inChannels, int outChannels, int groups)
    {
        if (inChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, $"{kind}: expected inChannels ≥ 1, got {inChannels}.");
        if (outChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, $"{kind}: expected outChannels ≥ 1, got {outChannels}.");
        if (groups < 1)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{kind}: expected groups ≥ 1, got {groups}.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException(
                $"{kind}: expected inChannels and outChannels divisible by groups {groups}, got inChannels {inChannels} and outChannels {outChannels}. " +
                "Each group needs a whole share of the channels and of the filters.", nameof(groups));
    }

    public static void AtLeast(string kind, string name, int value, int minimum)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"{kind}: expected {name} ≥ {minimum}, got {value}.");
    }

    /// <summary>y = grouped conv(x, w) + b; <paramref name="g"/> is the geometry of one group (Channels = C/groups).</summary>
    public static void Forward(in Conv2dGeometry g, int batch, int groups, int outChannels,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, Span<float> workspace, bool relu = false)
    {
        if (groups == 1)
        {
            Convolution2d.Forward(g, batch, outChannels, x, w, b, y, workspace, relu);
            return;
        }
        int inSlice = g.InputSize, filters = outChannels / groups, outSlice = filters * g.OutputPlaneSize, weightSlice = filters * g.PatchSize;
        for (int n = 0; n < batch; n++)
        {
            for (int group = 0; group < groups; group++)
            {
                int slice = n * groups + group;   // (n, group) slices are consecutive in NCHW
                Convolution2d.Forward(g, 1, filters,
                    x.Slice(slice * inSlice, inSlice), w.Slice(group * weightSlice, weightSlice),
                    b.IsEmpty ? b : b.Slice(group * filters, filters),
                    y.Slice(slice * outSlice, outSlice), workspace, relu);
            }
        }
    }

    /// <summary>Adds dL/dx, dL/dw and dL/db of a grouped convolution (empty dBias: skipped).</summary>
    public static void Backward(in Conv2dGeometry g, int batch, int groups, int outChannels,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dw, Span<float> db, Span<float> workspace)
    {
        if (groups == 1)
        {
            Convolution2d.Backward(g, batch, outChannels, x, w, dy, dx, dw, db, workspace);
            return;
        }
        int inSlice = g.InputSize, filters = outChannels / groups, outSlice = filters * g.OutputPlaneSize, weightSlice = filters * g.PatchSize;
        for (int n = 0; n < batch; n++)
        {
            for (int group = 0; group < groups; group++)
            {
                int slice = n * groups + group;
                Convolution2d.Backward(g, 1, filters,
                    x.Slice(slice * inSlice, inSlice), w.Slice(group * weightSlice, weightSlice),
                    dy.Slice(slice * outSlice, outSlice), dx.IsEmpty ? dx : dx.Slice(slice * inSlice, inSlice),
                    dw.Slice(group * weightSlice, weightSlice),
                    db.IsEmpty ? db : db.Slice(group * filters, filters), workspace);
            }
        }
    }

    /// <summary>Constructor checks of a pooling window: sizes ≥ 1, padding in [0, kernel/2] per axis (PyTorch's rule).</summary>
    public static void CheckPoolWindow(string kind, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        AtLeast(kind, "kernelHeight", kh, 1);
        AtLeast(kind, "kernelWidth", kw, 1);
        AtLeast(kind, "strideHeight", sh, 1);
        AtLeast(kind, "strideWidth", sw, 1);
        AtLeast(kind, "paddingHeight", ph, 0);
        AtLeast(kind, "paddingWidth", pw, 0);
        AtLeast(kind, "dilationHeight", dh, 1);
        AtLeast(kind, "dilationWidth", dw, 1);
        if (ph > kh / 2 || pw > kw / 2)
            throw new ArgumentOutOfRangeException(ph > kh / 2 ? nameof(ph) : nameof(pw), (ph, pw),
                $"{kind}: expected padding at most half the kernel ({kh}×{kw} → at most {kh / 2}×{kw / 2}), got {ph}×{pw}. " +
                "Wider padding makes windows that hold only padding.");
    }

    /// <summary>Validates a pooling layer's input (N, C, H, W) and returns its window geometry (Channels = C).</summary>
    public static Conv2dGeometry PoolGeometry(Layer layer, Shape input, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) =>
        PoolGeometry(layer, input, kh, kw, sh, sw, ConvPadding.Symmetric(ph, pw), ceilMode: false, dh, dw);

    /// <summary>
    /// A pooling window's geometry with padding per side and, in ceil mode, ⌈·⌉ output sizes: the
    /// windows that start inside the input or its top/left padding but run past the bottom/right
    /// padding are kept (ONNX ceil_mode, PyTorch's rule: a window may not start in the bottom/right
    /// padding). The overhang becomes extra bottom/right padding, which the kernels never read.
    /// </summary>
    public static Conv2dGeometry PoolGeometry(Layer layer, Shape input, int kh, int kw, int sh, int sw, ConvPadding padding, bool ceilMode, int dh, int dw)
    {
        var (top, bottom, left, right) = padding.Resolve(0, 0, kh, kw, sh, sw, dh, dw);
        if (ceilMode && input.Rank == 4)
        {
            bottom += CeilExtra(input[2], kh, sh, top, bottom, dh);
            right += CeilExtra(input[3], kw, sw, left, right, dw);
        }
        return PoolGeometry(layer, input, kh, kw, sh, sw, top, bottom, left, right, dh, dw);
    }

    // Extra trailing padding that turns the floor output size into the ceil one (0 when they agree).
    private static int CeilExtra(int size, int kernel, int stride, int before, int after, int dilation)
    {
        long effective = ((long)(kernel - 1) * dilation) + 1, span = (long)size + before + after - effective;
        if (span < 0)
            return 0;
        long floor = (span / stride) + 1, ceil = ((span + stride - 1) / stride) + 1;
        if (ceil > floor && (ceil - 1) * stride >= (long)size + before)
            ceil--;                                          // the last window would start in the trailing padding
        return (int)Math.Max(0, ((ceil - 1) * stride) + effective - ((long)size + before + after));
    }

    private static Conv2dGeometry PoolGeometry(Layer layer, Shape input, int kh, int kw, int sh, int sw, int top, int bottom, int left, int right, int dh, int dw)
    {
        string Who() => ConvolutionSupport.Who(layer, $"{kh}×{kw}");   // built only for an error
        if (input.Rank != 4)
            throw new ArgumentException($"{Who()}: expects input [N, C, H, W] (rank 4), got {input} (rank {input.Rank}).", nameof(input));
        int c = input[1], h = input[2], w = input[3];
        if (c < 1 || h < 1 || w < 1)
            throw new ArgumentException($"{Who()}: expects at least one channel and a 1×1 image, got {input}.", nameof(input));
        long ekh = (long)(kh - 1) * dh + 1, ekw = (long)(kw - 1) * dw + 1;
        long paddedH = (long)h + top + bottom, paddedW = (long)w + left + right;
        if (ekh > paddedH || ekw > paddedW)
            throw new ArgumentException(
                $"{Who()}: expects an input of at least {ekh}×{ekw} after padding, got {h}×{w} padded to {paddedH}×{paddedW} (input {input}). " +
                "The window is larger than the image: remove a downsampling layer before this one or use a smaller window.", nameof(input));
        return new Conv2dGeometry(c, h, w, kh, kw, sh, sw, top, bottom, left, right, dh, dw);
    }
}
