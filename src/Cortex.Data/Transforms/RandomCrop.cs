// RandomCrop.cs — pad, then cut a window at a uniformly random position: the CIFAR recipe
// (pad 4 with zeros, crop 32×32; He et al. 2016, §4.2) and AlexNet's random 224×224 patches of
// 256×256 images (Krizhevsky et al. 2012, §4.1, with padding 0).
// The offset (oy, ox) is uniform over [0, H + 2p − h] × [0, W + 2p − w]:
//   y[c, i, j] = xpad[c, oy + i, ox + j] = x[c, oy + i − p, ox + j − p].
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Random <see cref="Height"/>×<see cref="Width"/> crop of the image padded by <see cref="Padding"/> on every side.</summary>
/// <example><code>var crop = new RandomCrop(32, 32, padding: 4);   // CIFAR</code></example>
public sealed class RandomCrop : Transform
{
    /// <summary>A crop of <paramref name="height"/>×<paramref name="width"/> after padding by <paramref name="padding"/> with <paramref name="fill"/>.</summary>
    public RandomCrop(int height, int width, int padding = 0, FillMode fill = FillMode.Constant, float fillValue = 0f)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"RandomCrop: expected a crop of at least 1×1, got {height}×{width}.");
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        (Height, Width, Padding, Fill, FillValue) = (height, width, padding, fill, fillValue);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Pixels added on each side before cropping.</summary>
    public int Padding { get; }

    /// <summary>How the padding is filled.</summary>
    public FillMode Fill { get; }

    /// <summary>The padding value for <see cref="FillMode.Constant"/>.</summary>
    public float FillValue { get; }

    /// <inheritdoc/>
    public override string Name => Padding == 0 ? $"RandomCrop({Height}×{Width})" : $"RandomCrop({Height}×{Width}, pad {Padding})";

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        if (input.Height + 2 * Padding < Height || input.Width + 2 * Padding < Width)
            throw new ArgumentException(
                $"{Name}: expected an image of at least {Height - 2 * Padding}×{Width - 2 * Padding}, got {input}. Resize first or crop smaller.");
        return input with { Height = Height, Width = Width };
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var output = OutputSize(size);
        CheckSpans(source, size, destination, output);
        int oy = random.NextInt(size.Height + 2 * Padding - Height + 1);
        int ox = random.NextInt(size.Width + 2 * Padding - Width + 1);
        Translation.Copy(source, size, destination, Height, Width, oy - Padding, ox - Padding, Fill, FillValue);
    }
}
