// ConvPadding.cs — how much a convolution pads its input: a number per side, or "same"/"valid".
//
//   int p           p on every side (the lectures' P)             padding: 2
//   (ph, pw)        ph above and below, pw left and right         padding: (1, 2)
//   "valid"         no padding (= 0)                              padding: "valid"
//   "same"          output = ⌈input / stride⌉ (= input at stride 1), padding: "same"
//                   total (OH−1)·S + (K−1)·D + 1 − H split evenly, the odd one after (TensorFlow, PyTorch)
//   Explicit(t, b, l, r)  asymmetric
//
// "same" depends on the input size when the stride is above 1, so it is resolved per input by
// Resolve. A 1-D convolution reads Left and Right only.
using System.Globalization;

namespace Cortex.Layers;

/// <summary>The padding of a convolution: explicit per side, or <c>"same"</c> / <c>"valid"</c>.</summary>
/// <example><code>
/// new Conv2d(1, 6, 5, padding: 2);          // LeNet C1 on 28×28 MNIST → 28×28
/// new Conv2d(64, 64, 3, padding: "same");   // VGG: the size is kept
/// new Conv2d(3, 8, (3, 5), padding: (1, 2));
/// </code></example>
public readonly struct ConvPadding : IEquatable<ConvPadding>
{
    private ConvPadding(bool same, int top, int bottom, int left, int right)
    {
        IsSame = same;
        Top = top;
        Bottom = bottom;
        Left = left;
        Right = right;
    }

    /// <summary>"same": pad so that the output is ⌈input / stride⌉ along each axis.</summary>
    public static ConvPadding Same => new(true, 0, 0, 0, 0);

    /// <summary>"valid": no padding (the default).</summary>
    public static ConvPadding Valid => default;

    /// <summary>True for "same" padding, whose sides are known only for a given input size (see <see cref="Resolve"/>).</summary>
    public bool IsSame { get; }

    /// <summary>Rows added above (0 for "same" until resolved).</summary>
    public int Top { get; }

    /// <summary>Rows added below.</summary>
    public int Bottom { get; }

    /// <summary>Columns added on the left.</summary>
    public int Left { get; }

    /// <summary>Columns added on the right.</summary>
    public int Right { get; }

    /// <summary>The same padding on every side.</summary>
    public static ConvPadding Symmetric(int padding) => new(false, padding, padding, padding, padding);

    /// <summary><paramref name="height"/> rows above and below, <paramref name="width"/> columns left and right.</summary>
    public static ConvPadding Symmetric(int height, int width) => new(false, height, height, width, width);

    /// <summary>Each side on its own (asymmetric padding).</summary>
    public static ConvPadding Explicit(int top, int bottom, int left, int right) => new(false, top, bottom, left, right);

    /// <summary>
    /// "same" or "valid" (any case); anything else gets <see cref="Symmetric(int)"/> of a number
    /// in the text, so <c>"2"</c> works too.
    /// </summary>
    /// <exception cref="FormatException">Neither a mode nor a number.</exception>
    public static ConvPadding Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("same", StringComparison.OrdinalIgnoreCase))
            return Same;
        if (t.Equals("valid", StringComparison.OrdinalIgnoreCase))
            return Valid;
        if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int p))
            return Symmetric(p);
        throw new FormatException($"ConvPadding: expected \"same\", \"valid\" or a number, got \"{text}\".");
    }

    /// <summary><c>padding: 2</c>: the same padding on every side.</summary>
    public static implicit operator ConvPadding(int padding) => Symmetric(padding);

    /// <summary><c>padding: (1, 2)</c>: (rows above and below, columns left and right).</summary>
    public static implicit operator ConvPadding((int Height, int Width) padding) => Symmetric(padding.Height, padding.Width);

    /// <summary><c>padding: "same"</c> or <c>padding: "valid"</c>; see <see cref="Parse"/>.</summary>
    public static implicit operator ConvPadding(string mode) => Parse(mode);

    /// <summary>The named alternative of the int conversion.</summary>
    public static ConvPadding FromInt32(int padding) => Symmetric(padding);

    /// <summary>The named alternative of the tuple conversion.</summary>
    public static ConvPadding FromValueTuple((int Height, int Width) padding) => Symmetric(padding.Height, padding.Width);

    /// <summary>The named alternative of the string conversion.</summary>
    public static ConvPadding FromString(string mode) => Parse(mode);

    /// <summary>The smallest side (negative values are refused by the layers).</summary>
    internal int Minimum => Math.Min(Math.Min(Top, Bottom), Math.Min(Left, Right));

    /// <summary>
    /// The padding per side for an input of <paramref name="height"/> × <paramref name="width"/>:
    /// the stored sides, or for "same" the split that gives ⌈size / stride⌉ outputs.
    /// </summary>
    public (int Top, int Bottom, int Left, int Right) Resolve(
        int height, int width, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth)
    {
        if (!IsSame)
            return (Top, Bottom, Left, Right);
        var (top, bottom) = SameSplit(height, kernelHeight, strideHeight, dilationHeight);
        var (left, right) = SameSplit(width, kernelWidth, strideWidth, dilationWidth);
        return (top, bottom, left, right);
    }

    internal static (int Before, int After) SameSplit(int size, int kernel, int stride, int dilation)
    {
        long output = ((long)size + stride - 1) / stride;                 // ⌈size / stride⌉
        long total = Math.Max(0, (output - 1) * stride + (long)(kernel - 1) * dilation + 1 - size);
        return ((int)(total / 2), (int)(total - total / 2));
    }

    public bool Equals(ConvPadding other) =>
        IsSame == other.IsSame && Top == other.Top && Bottom == other.Bottom && Left == other.Left && Right == other.Right;

    public override bool Equals(object? obj) => obj is ConvPadding other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(IsSame, Top, Bottom, Left, Right);

    public static bool operator ==(ConvPadding left, ConvPadding right) => left.Equals(right);

    public static bool operator !=(ConvPadding left, ConvPadding right) => !left.Equals(right);

    /// <summary><c>same</c>, <c>2</c>, <c>(1, 2)</c> or <c>(top 0, bottom 1, left 0, right 1)</c>.</summary>
    public override string ToString() =>
        IsSame ? "same"
        : Top == Bottom && Left == Right ? (Top == Left ? Top.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"({Top}, {Left})"))
        : string.Create(CultureInfo.InvariantCulture, $"(top {Top}, bottom {Bottom}, left {Left}, right {Right})");
}
