// CenterCrop.cs — the deterministic middle window (evaluation's counterpart of RandomCrop):
// offset ((H − h) / 2, (W − w) / 2), rounded down.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Cuts the central <see cref="Height"/>×<see cref="Width"/> window.</summary>
/// <example><code>var crop = new CenterCrop(224, 224);</code></example>
public sealed class CenterCrop : Transform
{
    /// <summary>A central crop of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public CenterCrop(int height, int width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"CenterCrop: expected a crop of at least 1×1, got {height}×{width}.");
        (Height, Width) = (height, width);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public override string Name => $"CenterCrop({Height}×{Width})";

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        if (input.Height < Height || input.Width < Width)
            throw new ArgumentException($"{Name}: expected an image of at least {Height}×{Width}, got {input}.");
        return input with { Height = Height, Width = Width };
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        var output = OutputSize(size);
        CheckSpans(source, size, destination, output);
        Translation.Copy(source, size, destination, Height, Width, (size.Height - Height) / 2, (size.Width - Width) / 2);
    }
}
