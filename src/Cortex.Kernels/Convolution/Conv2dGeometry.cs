// Conv2dGeometry.cs — the shape arithmetic of one 2-D sliding window, validated once.
//
//   x: (C, H, W)  kernel: (KH, KW)  stride: (SH, SW)  dilation: (DH, DW)
//   padding: top PT, bottom PB, left PL, right PR (asymmetric allowed)
//
//   effective kernel  EKH = (KH − 1)·DH + 1                          (EKW likewise)
//   output            OH  = (H + PT + PB − EKH) / SH + 1   (floor)   (OW likewise)
//   window (oh, ow), tap (kh, kw) reads input row  ih = oh·SH − PT + kh·DH
//                                         column  iw = ow·SW − PL + kw·DW
//
// With PT = PB = P, DH = 1 this is the lectures' OH = (H + 2P − FH) / S + 1. Convolution, im2col,
// col2im and pooling all take this one value, so a geometry that exists is a valid one: the
// constructor refuses strides below 1, negative padding and kernels larger than the padded input.
// Not here: 1-D and 3-D windows get their own types; 1-D can also ride on H = KH = 1 (see For1d).
using System.Globalization;

namespace Cortex.Kernels;

/// <summary>
/// The validated geometry of a 2-D convolution or pooling window over one (C, H, W) image:
/// kernel, stride, asymmetric padding, dilation and padding mode, and the output size they give.
/// </summary>
/// <example><code>
/// // The lectures' example: a 4×4 input, a 3×3 filter, padding 1, stride 1 → a 4×4 output.
/// var g = new Conv2dGeometry(channels: 1, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1);
/// // g.OutputHeight == 4, g.OutputWidth == 4, g.PatchSize == 9, g.ColumnSize == 9 * 16
/// var same = Conv2dGeometry.Same(channels: 3, height: 7, width: 7, kernelHeight: 3, kernelWidth: 3, stride: 2); // 4×4 out
/// </code></example>
public readonly struct Conv2dGeometry : IEquatable<Conv2dGeometry>
{
    /// <summary>A geometry with the same stride and padding on every side (the lectures' S and P).</summary>
    public Conv2dGeometry(
        int channels, int height, int width, int kernelHeight, int kernelWidth,
        int stride = 1, int padding = 0, PaddingMode paddingMode = PaddingMode.Zero)
        : this(channels, height, width, kernelHeight, kernelWidth, stride, stride,
               padding, padding, padding, padding, 1, 1, paddingMode)
    {
    }

    /// <summary>A geometry with separate strides, padding per side and dilation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, stride or dilation below 1, or negative padding.</exception>
    /// <exception cref="ArgumentException">The (dilated) kernel does not fit in the padded input.</exception>
    public Conv2dGeometry(
        int channels, int height, int width, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth,
        int padTop, int padBottom, int padLeft, int padRight,
        int dilationHeight = 1, int dilationWidth = 1,
        PaddingMode paddingMode = PaddingMode.Zero)
    {
        AtLeast(1, channels, nameof(channels), "Use 1 for a grayscale image.");
        AtLeast(1, height, nameof(height), "The input must have at least one row.");
        AtLeast(1, width, nameof(width), "The input must have at least one column.");
        AtLeast(1, kernelHeight, nameof(kernelHeight), "Use 1 for a 1×k kernel.");
        AtLeast(1, kernelWidth, nameof(kernelWidth), "Use 1 for a k×1 kernel.");
        AtLeast(1, strideHeight, nameof(strideHeight), "Stride is the step between windows; use 1 for a dense convolution.");
        AtLeast(1, strideWidth, nameof(strideWidth), "Stride is the step between windows; use 1 for a dense convolution.");
        AtLeast(0, padTop, nameof(padTop), "Padding adds rows or columns; use 0 for none.");
        AtLeast(0, padBottom, nameof(padBottom), "Padding adds rows or columns; use 0 for none.");
        AtLeast(0, padLeft, nameof(padLeft), "Padding adds rows or columns; use 0 for none.");
        AtLeast(0, padRight, nameof(padRight), "Padding adds rows or columns; use 0 for none.");
        AtLeast(1, dilationHeight, nameof(dilationHeight), "Use 1 for an ordinary (not dilated) kernel.");
        AtLeast(1, dilationWidth, nameof(dilationWidth), "Use 1 for an ordinary (not dilated) kernel.");
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Replicate))
            throw new ArgumentOutOfRangeException(nameof(paddingMode), $"Conv2dGeometry: expected padding mode Zero or Replicate, got {paddingMode}.");

        long effectiveKh = (long)(kernelHeight - 1) * dilationHeight + 1;
        long effectiveKw = (long)(kernelWidth - 1) * dilationWidth + 1;
        long paddedH = (long)height + padTop + padBottom;
        long paddedW = (long)width + padLeft + padRight;
        if (effectiveKh > paddedH || effectiveKw > paddedW)
        {
            string dilated = dilationHeight == 1 && dilationWidth == 1 ? "" : $" (dilated to {effectiveKh}×{effectiveKw})";
            throw new ArgumentException(
                $"Conv2dGeometry: expected a kernel no larger than the padded input {paddedH}×{paddedW} " +
                $"(input {height}×{width}, padding top {padTop}, bottom {padBottom}, left {padLeft}, right {padRight}), " +
                $"got kernel {kernelHeight}×{kernelWidth}{dilated}. Use a smaller kernel or add padding.",
                effectiveKh > paddedH ? nameof(kernelHeight) : nameof(kernelWidth));
        }

        long outputHeight = (paddedH - effectiveKh) / strideHeight + 1;
        long outputWidth = (paddedW - effectiveKw) / strideWidth + 1;
        long patch = (long)channels * kernelHeight * kernelWidth;
        long column = patch * outputHeight * outputWidth;
        long input = (long)channels * height * width;
        if (column > Array.MaxLength || input > Array.MaxLength)
            throw new ArgumentException(
                $"Conv2dGeometry: expected an im2col matrix of at most {Array.MaxLength} elements, got {patch}×{outputHeight * outputWidth} = {column} " +
                $"(input {channels}×{height}×{width}, kernel {kernelHeight}×{kernelWidth}). Split the input into tiles.",
                nameof(channels));

        Channels = channels;
        Height = height;
        Width = width;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadTop = padTop;
        PadBottom = padBottom;
        PadLeft = padLeft;
        PadRight = padRight;
        DilationHeight = dilationHeight;
        DilationWidth = dilationWidth;
        PaddingMode = paddingMode;
        OutputHeight = (int)outputHeight;
        OutputWidth = (int)outputWidth;
    }

    /// <summary>
    /// "Same" padding: the output is ⌈H / stride⌉ × ⌈W / stride⌉ (so exactly H × W at stride 1).
    /// The total padding per axis is split evenly, the odd one going to the bottom/right (as TensorFlow and PyTorch do).
    /// </summary>
    public static Conv2dGeometry Same(
        int channels, int height, int width, int kernelHeight, int kernelWidth,
        int stride = 1, int dilation = 1, PaddingMode paddingMode = PaddingMode.Zero)
    {
        AtLeast(1, height, nameof(height), "The input must have at least one row.");
        AtLeast(1, width, nameof(width), "The input must have at least one column.");
        AtLeast(1, kernelHeight, nameof(kernelHeight), "Use 1 for a 1×k kernel.");
        AtLeast(1, kernelWidth, nameof(kernelWidth), "Use 1 for a k×1 kernel.");
        AtLeast(1, stride, nameof(stride), "Stride is the step between windows; use 1 for a dense convolution.");
        AtLeast(1, dilation, nameof(dilation), "Use 1 for an ordinary (not dilated) kernel.");
        (int top, int bottom) = SamePadding(height, kernelHeight, stride, dilation);
        (int left, int right) = SamePadding(width, kernelWidth, stride, dilation);
        return new Conv2dGeometry(channels, height, width, kernelHeight, kernelWidth, stride, stride,
            top, bottom, left, right, dilation, dilation, paddingMode);
    }

    /// <summary>"Valid" convolution: no padding; the window stays inside the input.</summary>
    public static Conv2dGeometry Valid(
        int channels, int height, int width, int kernelHeight, int kernelWidth, int stride = 1, int dilation = 1)
        => new(channels, height, width, kernelHeight, kernelWidth, stride, stride, 0, 0, 0, 0, dilation, dilation);

    /// <summary>
    /// A 1-D window over a (C, L) signal, as a 2-D geometry with H = KH = 1: the same kernels then serve Conv1d.
    /// </summary>
    public static Conv2dGeometry For1d(
        int channels, int length, int kernel, int stride = 1, int padLeft = 0, int padRight = 0,
        int dilation = 1, PaddingMode paddingMode = PaddingMode.Zero)
        => new(channels, 1, length, 1, kernel, 1, stride, 0, 0, padLeft, padRight, 1, dilation, paddingMode);

    /// <summary>Input channels C.</summary>
    public int Channels { get; }

    /// <summary>Input height H.</summary>
    public int Height { get; }

    /// <summary>Input width W.</summary>
    public int Width { get; }

    /// <summary>Kernel height KH (before dilation).</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width KW (before dilation).</summary>
    public int KernelWidth { get; }

    /// <summary>Vertical step SH between windows.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal step SW between windows.</summary>
    public int StrideWidth { get; }

    /// <summary>Rows added above the input.</summary>
    public int PadTop { get; }

    /// <summary>Rows added below the input.</summary>
    public int PadBottom { get; }

    /// <summary>Columns added left of the input.</summary>
    public int PadLeft { get; }

    /// <summary>Columns added right of the input.</summary>
    public int PadRight { get; }

    /// <summary>Vertical spacing DH between kernel taps (1 = ordinary).</summary>
    public int DilationHeight { get; }

    /// <summary>Horizontal spacing DW between kernel taps (1 = ordinary).</summary>
    public int DilationWidth { get; }

    /// <summary>What the window reads outside the input.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Output height OH = (H + PT + PB − EKH) / SH + 1.</summary>
    public int OutputHeight { get; }

    /// <summary>Output width OW = (W + PL + PR − EKW) / SW + 1.</summary>
    public int OutputWidth { get; }

    /// <summary>Rows spanned by the dilated kernel, (KH − 1)·DH + 1.</summary>
    public int EffectiveKernelHeight => (KernelHeight - 1) * DilationHeight + 1;

    /// <summary>Columns spanned by the dilated kernel, (KW − 1)·DW + 1.</summary>
    public int EffectiveKernelWidth => (KernelWidth - 1) * DilationWidth + 1;

    /// <summary>Elements of one input image, C·H·W.</summary>
    public int InputSize => Channels * Height * Width;

    /// <summary>Output positions per channel, OH·OW (the columns of the im2col matrix of one image).</summary>
    public int OutputPlaneSize => OutputHeight * OutputWidth;

    /// <summary>Elements of one receptive field, C·KH·KW (the rows of the im2col matrix).</summary>
    public int PatchSize => Channels * KernelHeight * KernelWidth;

    /// <summary>Elements of the im2col matrix of one image, C·KH·KW · OH·OW.</summary>
    public int ColumnSize => PatchSize * OutputPlaneSize;

    /// <summary>True when any side is padded.</summary>
    public bool IsPadded => (PadTop | PadBottom | PadLeft | PadRight) != 0;

    /// <summary>False only for <c>default(Conv2dGeometry)</c>, which no constructor produces.</summary>
    public bool IsInitialized => Channels > 0;

    /// <inheritdoc/>
    public bool Equals(Conv2dGeometry other) =>
        Channels == other.Channels && Height == other.Height && Width == other.Width &&
        KernelHeight == other.KernelHeight && KernelWidth == other.KernelWidth &&
        StrideHeight == other.StrideHeight && StrideWidth == other.StrideWidth &&
        PadTop == other.PadTop && PadBottom == other.PadBottom && PadLeft == other.PadLeft && PadRight == other.PadRight &&
        DilationHeight == other.DilationHeight && DilationWidth == other.DilationWidth && PaddingMode == other.PaddingMode;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Conv2dGeometry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Channels);
        hash.Add(Height);
        hash.Add(Width);
        hash.Add(KernelHeight);
        hash.Add(KernelWidth);
        hash.Add(StrideHeight);
        hash.Add(StrideWidth);
        hash.Add(PadTop);
        hash.Add(PadBottom);
        hash.Add(PadLeft);
        hash.Add(PadRight);
        hash.Add(DilationHeight);
        hash.Add(DilationWidth);
        hash.Add(PaddingMode);
        return hash.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Conv2dGeometry left, Conv2dGeometry right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Conv2dGeometry left, Conv2dGeometry right) => !left.Equals(right);

    /// <summary>For example <c>[3, 7, 7] ⊗ 3×3, stride 2, pad 1 (zero) → [7×7 → 4×4]</c>.</summary>
    public override string ToString()
    {
        if (!IsInitialized)
            return "Conv2dGeometry (uninitialized)";
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"[{Channels}, {Height}, {Width}] ⊗ {KernelHeight}×{KernelWidth}");
        text.Append(StrideHeight == StrideWidth
            ? string.Create(CultureInfo.InvariantCulture, $", stride {StrideHeight}")
            : string.Create(CultureInfo.InvariantCulture, $", stride {StrideHeight}×{StrideWidth}"));
        if (PadTop == PadBottom && PadTop == PadLeft && PadTop == PadRight)
            text.Append(CultureInfo.InvariantCulture, $", pad {PadTop}");
        else
            text.Append(CultureInfo.InvariantCulture, $", pad (top {PadTop}, bottom {PadBottom}, left {PadLeft}, right {PadRight})");
        if (IsPadded)
            text.Append(PaddingMode == PaddingMode.Zero ? " zero" : " replicate");
        if (DilationHeight != 1 || DilationWidth != 1)
            text.Append(CultureInfo.InvariantCulture, $", dilation {DilationHeight}×{DilationWidth}");
        text.Append(CultureInfo.InvariantCulture, $" → {OutputHeight}×{OutputWidth}");
        return text.ToString();
    }

    /// <summary>Throws unless this geometry was built by a constructor; kernels call it at their entry.</summary>
    internal void EnsureInitialized(string who, string paramName = "geometry")
    {
        if (!IsInitialized)
            throw new ArgumentException(
                $"{who}: expected a Conv2dGeometry built by a constructor, got default(Conv2dGeometry). " +
                "Create it with new Conv2dGeometry(...) or Conv2dGeometry.Same/Valid.", paramName);
    }

    private static (int Before, int After) SamePadding(int size, int kernel, int stride, int dilation)
    {
        long output = ((long)size + stride - 1) / stride;                          // ⌈size / stride⌉
        long effective = (long)(kernel - 1) * dilation + 1;
        long total = Math.Max(0, (output - 1) * stride + effective - size);
        if (total > int.MaxValue)
            throw new ArgumentException($"Conv2dGeometry.Same: expected padding that fits in an int, got {total}. Use a smaller kernel or dilation.", nameof(kernel));
        return ((int)(total / 2), (int)(total - total / 2));
    }

    private static void AtLeast(int minimum, int value, string name, string hint)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value,
                $"Conv2dGeometry: expected {name} ≥ {minimum}, got {value}. {hint}");
    }
}
