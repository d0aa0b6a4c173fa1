// Conv3dGeometry.cs — the shape arithmetic of one 3-D sliding window (video clips, MRI/CT volumes).
//
//   x: (C, D, H, W)  kernel: (KD, KH, KW)  stride: (SD, SH, SW)  padding: (PD, PH, PW) on both sides
//   dilation: (DD, DH, DW)
//
//   output  OD = (D + 2·PD − ((KD − 1)·DD + 1)) / SD + 1   (floor)    (OH, OW likewise)
//   window (od, oh, ow), tap (kd, kh, kw) reads  id = od·SD − PD + kd·DD,  ih = …,  iw = …
//
// The 2-D rules one dimension up, with symmetric padding per axis (as PyTorch's Conv3d).
// Validated once: a geometry that exists is a valid one.
using System.Globalization;

namespace Cortex.Kernels;

/// <summary>
/// The validated geometry of a 3-D convolution over one (C, D, H, W) volume: kernel, stride,
/// padding (the same on both sides of an axis), dilation and padding mode, and the output size.
/// </summary>
/// <example><code>
/// // A 16-frame 112×112 RGB clip through a 3×3×3 kernel with padding 1 (C3D): output 16×112×112.
/// var g = new Conv3dGeometry(channels: 3, depth: 16, height: 112, width: 112, kernelDepth: 3, kernelHeight: 3, kernelWidth: 3, padding: 1);
/// </code></example>
public readonly struct Conv3dGeometry : IEquatable<Conv3dGeometry>
{
    /// <summary>A cubic-stride, cubic-padding geometry.</summary>
    public Conv3dGeometry(
        int channels, int depth, int height, int width, int kernelDepth, int kernelHeight, int kernelWidth,
        int stride = 1, int padding = 0, int dilation = 1, PaddingMode paddingMode = PaddingMode.Zero)
        : this(channels, depth, height, width, kernelDepth, kernelHeight, kernelWidth,
               stride, stride, stride, padding, padding, padding, dilation, dilation, dilation, paddingMode)
    {
    }

    /// <summary>A geometry with separate stride, padding and dilation per axis.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, stride or dilation below 1, or negative padding.</exception>
    /// <exception cref="ArgumentException">The (dilated) kernel does not fit in the padded input.</exception>
    public Conv3dGeometry(
        int channels, int depth, int height, int width, int kernelDepth, int kernelHeight, int kernelWidth,
        int strideDepth, int strideHeight, int strideWidth,
        int padDepth, int padHeight, int padWidth,
        int dilationDepth = 1, int dilationHeight = 1, int dilationWidth = 1,
        PaddingMode paddingMode = PaddingMode.Zero)
    {
        AtLeast(1, channels, nameof(channels));
        AtLeast(1, depth, nameof(depth));
        AtLeast(1, height, nameof(height));
        AtLeast(1, width, nameof(width));
        AtLeast(1, kernelDepth, nameof(kernelDepth));
        AtLeast(1, kernelHeight, nameof(kernelHeight));
        AtLeast(1, kernelWidth, nameof(kernelWidth));
        AtLeast(1, strideDepth, nameof(strideDepth));
        AtLeast(1, strideHeight, nameof(strideHeight));
        AtLeast(1, strideWidth, nameof(strideWidth));
        AtLeast(0, padDepth, nameof(padDepth));
        AtLeast(0, padHeight, nameof(padHeight));
        AtLeast(0, padWidth, nameof(padWidth));
        AtLeast(1, dilationDepth, nameof(dilationDepth));
        AtLeast(1, dilationHeight, nameof(dilationHeight));
        AtLeast(1, dilationWidth, nameof(dilationWidth));
        if (paddingMode is not (PaddingMode.Zero or PaddingMode.Replicate))
            throw new ArgumentOutOfRangeException(nameof(paddingMode), $"Conv3dGeometry: expected padding mode Zero or Replicate, got {paddingMode}.");

        long ekd = (long)(kernelDepth - 1) * dilationDepth + 1, ekh = (long)(kernelHeight - 1) * dilationHeight + 1, ekw = (long)(kernelWidth - 1) * dilationWidth + 1;
        long pd = depth + 2L * padDepth, ph = height + 2L * padHeight, pw = width + 2L * padWidth;
        if (ekd > pd || ekh > ph || ekw > pw)
            throw new ArgumentException(
                $"Conv3dGeometry: expected a kernel no larger than the padded input {pd}×{ph}×{pw} " +
                $"(input {depth}×{height}×{width}, padding {padDepth}×{padHeight}×{padWidth}), " +
                $"got kernel {ekd}×{ekh}×{ekw} (after dilation). Use a smaller kernel or add padding.", nameof(kernelDepth));
        long od = (pd - ekd) / strideDepth + 1, oh = (ph - ekh) / strideHeight + 1, ow = (pw - ekw) / strideWidth + 1;
        long column = (long)channels * kernelDepth * kernelHeight * kernelWidth * od * oh * ow;
        if (column > Array.MaxLength || (long)channels * depth * height * width > Array.MaxLength)
            throw new ArgumentException($"Conv3dGeometry: expected a vol2col matrix of at most {Array.MaxLength} elements, got {column}. Split the volume.", nameof(channels));

        Channels = channels;
        Depth = depth;
        Height = height;
        Width = width;
        KernelDepth = kernelDepth;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        StrideDepth = strideDepth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadDepth = padDepth;
        PadHeight = padHeight;
        PadWidth = padWidth;
        DilationDepth = dilationDepth;
        DilationHeight = dilationHeight;
        DilationWidth = dilationWidth;
        PaddingMode = paddingMode;
        OutputDepth = (int)od;
        OutputHeight = (int)oh;
        OutputWidth = (int)ow;
    }

    /// <summary>Input channels C.</summary>
    public int Channels { get; }

    /// <summary>Input depth D (frames, slices).</summary>
    public int Depth { get; }

    /// <summary>Input height H.</summary>
    public int Height { get; }

    /// <summary>Input width W.</summary>
    public int Width { get; }

    /// <summary>Kernel depth KD.</summary>
    public int KernelDepth { get; }

    /// <summary>Kernel height KH.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width KW.</summary>
    public int KernelWidth { get; }

    /// <summary>Step SD between windows along depth.</summary>
    public int StrideDepth { get; }

    /// <summary>Step SH between windows along height.</summary>
    public int StrideHeight { get; }

    /// <summary>Step SW between windows along width.</summary>
    public int StrideWidth { get; }

    /// <summary>Slices added before and after the input (PD).</summary>
    public int PadDepth { get; }

    /// <summary>Rows added above and below the input (PH).</summary>
    public int PadHeight { get; }

    /// <summary>Columns added left and right of the input (PW).</summary>
    public int PadWidth { get; }

    /// <summary>Spacing DD between kernel taps along depth.</summary>
    public int DilationDepth { get; }

    /// <summary>Spacing DH between kernel taps along height.</summary>
    public int DilationHeight { get; }

    /// <summary>Spacing DW between kernel taps along width.</summary>
    public int DilationWidth { get; }

    /// <summary>What the window reads outside the input.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Output depth OD.</summary>
    public int OutputDepth { get; }

    /// <summary>Output height OH.</summary>
    public int OutputHeight { get; }

    /// <summary>Output width OW.</summary>
    public int OutputWidth { get; }

    /// <summary>Elements of one input volume, C·D·H·W.</summary>
    public int InputSize => Channels * Depth * Height * Width;

    /// <summary>Output positions per channel, OD·OH·OW.</summary>
    public int OutputVolumeSize => OutputDepth * OutputHeight * OutputWidth;

    /// <summary>Elements of one receptive field, C·KD·KH·KW (the rows of the vol2col matrix).</summary>
    public int PatchSize => Channels * KernelDepth * KernelHeight * KernelWidth;

    /// <summary>Elements of the vol2col matrix of one volume, C·KD·KH·KW · OD·OH·OW.</summary>
    public int ColumnSize => PatchSize * OutputVolumeSize;

    /// <summary>False only for <c>default(Conv3dGeometry)</c>.</summary>
    public bool IsInitialized => Channels > 0;

    /// <inheritdoc/>
    public bool Equals(Conv3dGeometry other) =>
        Channels == other.Channels && Depth == other.Depth && Height == other.Height && Width == other.Width &&
        KernelDepth == other.KernelDepth && KernelHeight == other.KernelHeight && KernelWidth == other.KernelWidth &&
        StrideDepth == other.StrideDepth && StrideHeight == other.StrideHeight && StrideWidth == other.StrideWidth &&
        PadDepth == other.PadDepth && PadHeight == other.PadHeight && PadWidth == other.PadWidth &&
        DilationDepth == other.DilationDepth && DilationHeight == other.DilationHeight && DilationWidth == other.DilationWidth &&
        PaddingMode == other.PaddingMode;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Conv3dGeometry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(
        HashCode.Combine(Channels, Depth, Height, Width, KernelDepth, KernelHeight, KernelWidth),
        HashCode.Combine(StrideDepth, StrideHeight, StrideWidth, PadDepth, PadHeight, PadWidth),
        HashCode.Combine(DilationDepth, DilationHeight, DilationWidth, PaddingMode));

    /// <summary>Value equality.</summary>
    public static bool operator ==(Conv3dGeometry left, Conv3dGeometry right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Conv3dGeometry left, Conv3dGeometry right) => !left.Equals(right);

    /// <summary>For example <c>[3, 16, 112, 112] ⊗ 3×3×3, stride 1×1×1, pad 1×1×1 → 16×112×112</c>.</summary>
    public override string ToString() => !IsInitialized
        ? "Conv3dGeometry (uninitialized)"
        : string.Create(CultureInfo.InvariantCulture,
            $"[{Channels}, {Depth}, {Height}, {Width}] ⊗ {KernelDepth}×{KernelHeight}×{KernelWidth}, stride {StrideDepth}×{StrideHeight}×{StrideWidth}, " +
            $"pad {PadDepth}×{PadHeight}×{PadWidth}, dilation {DilationDepth}×{DilationHeight}×{DilationWidth} → {OutputDepth}×{OutputHeight}×{OutputWidth}");

    internal void EnsureInitialized(string who, string paramName = "geometry")
    {
        if (!IsInitialized)
            throw new ArgumentException($"{who}: expected a Conv3dGeometry built by a constructor, got default(Conv3dGeometry).", paramName);
    }

    private static void AtLeast(int minimum, int value, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"Conv3dGeometry: expected {name} ≥ {minimum}, got {value}.");
    }
}
