// Crop.cs — a fixed window at a given position (the corner and centre views of 10-crop testing).
// Anchors place the window at a corner or the centre of whatever image comes in.
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Where a fixed <see cref="Crop"/> sits in the image.</summary>
public enum CropAnchor
{
    /// <summary>The middle (offsets rounded down).</summary>
    Center,

    /// <summary>The top-left corner.</summary>
    TopLeft,

    /// <summary>The top-right corner.</summary>
    TopRight,

    /// <summary>The bottom-left corner.</summary>
    BottomLeft,

    /// <summary>The bottom-right corner.</summary>
    BottomRight,
}

/// <summary>Cuts a <see cref="Height"/>×<see cref="Width"/> window at a fixed anchor (deterministic).</summary>
/// <example><code>var corner = new Crop(224, 224, CropAnchor.TopLeft);</code></example>
public sealed class Crop : Transform
{
    /// <summary>A window of <paramref name="height"/>×<paramref name="width"/> at <paramref name="anchor"/>.</summary>
    public Crop(int height, int width, CropAnchor anchor = CropAnchor.Center)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"Crop: expected a window of at least 1×1, got {height}×{width}.");
        (Height, Width, Anchor) = (height, width, anchor);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Where the window sits.</summary>
    public CropAnchor Anchor { get; }

    /// <inheritdoc/>
    public override string Name => $"Crop({Height}×{Width}, {Anchor})";

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
        CheckSpans(source, size, destination, OutputSize(size));
        int bottom = size.Height - Height, right = size.Width - Width;
        (int top, int left) = Anchor switch
        {
            CropAnchor.TopLeft => (0, 0),
            CropAnchor.TopRight => (0, right),
            CropAnchor.BottomLeft => (bottom, 0),
            CropAnchor.BottomRight => (bottom, right),
            _ => (bottom / 2, right / 2),
        };
        Translation.Copy(source, size, destination, Height, Width, top, left);
    }
}
