// ImageSize.cs — the (C, H, W) size of one image, as a value type so that transforms and loaders
// can pass sizes around per sample without allocating (a Shape owns an array).
using Cortex.Tensors;

namespace Cortex.Data;

/// <summary>The size of one image: channels, height and width, laid out (C, H, W) row-major.</summary>
/// <example><code>
/// var size = new ImageSize(3, 32, 32);     // a CIFAR image; size.Length == 3072
/// Shape shape = size.ToShape();            // (3, 32, 32)
/// </code></example>
public readonly record struct ImageSize(int Channels, int Height, int Width)
{
    /// <summary>Number of floats in one image, C·H·W.</summary>
    public int Length => Channels * Height * Width;

    /// <summary>Number of pixels in one channel plane, H·W.</summary>
    public int PlaneLength => Height * Width;

    /// <summary>The size of a sample of <paramref name="shape"/> (C, H, W).</summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> is not rank 3.</exception>
    public static ImageSize FromShape(Shape shape)
    {
        if (shape.Rank != 3)
            throw new ArgumentException($"ImageSize: expected a sample shape (C, H, W), got {shape}.", nameof(shape));
        return new ImageSize(shape[0], shape[1], shape[2]);
    }

    /// <summary>The sample shape (C, H, W).</summary>
    public Shape ToShape() => new(Channels, Height, Width);

    /// <summary>The batch shape (N, C, H, W).</summary>
    public Shape ToBatchShape(int count) => new(count, Channels, Height, Width);

    /// <inheritdoc/>
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
