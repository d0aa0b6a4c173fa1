// Resize.cs — deterministic bilinear resize to a fixed size, or of the shorter side to a length
// (keeping the aspect ratio), as evaluation pipelines do before CenterCrop. Sampling: ImageResize
// (half-pixel centres, no anti-aliasing).
using Cortex.Data.Images;
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Resizes the image with bilinear sampling.</summary>
/// <example><code>
/// var fixedSize = new Resize(150, 150);
/// var shortSide = Resize.ShortSide(256);   // 375×500 → 256×341
/// </code></example>
public sealed class Resize : Transform
{
    private readonly int _height, _width, _shortSide;

    /// <summary>Resizes to exactly <paramref name="height"/>×<paramref name="width"/>.</summary>
    public Resize(int height, int width)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Resize: expected a size of at least 1×1, got {height}×{width}.");
        (_height, _width) = (height, width);
    }

    private Resize(int shortSide) => _shortSide = shortSide;

    /// <summary>Resizes so that the shorter side is <paramref name="length"/>, the other in proportion (rounded).</summary>
    public static Resize ShortSide(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new Resize(length);
    }

    /// <inheritdoc/>
    public override string Name => _shortSide > 0 ? $"Resize(short side {_shortSide})" : $"Resize({_height}×{_width})";

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input)
    {
        if (_shortSide == 0)
            return input with { Height = _height, Width = _width };
        double scale = (double)_shortSide / Math.Min(input.Height, input.Width);
        return input with
        {
            Height = Math.Max(1, (int)Math.Round(input.Height * scale)),
            Width = Math.Max(1, (int)Math.Round(input.Width * scale)),
        };
    }

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        var output = OutputSize(size);
        CheckSpans(source, size, destination, output);
        ImageResize.Bilinear(source, size, destination, output.Height, output.Width);
    }
}
