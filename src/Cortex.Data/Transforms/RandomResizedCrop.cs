// RandomResizedCrop.cs — the Inception-style crop (Szegedy et al. 2015; torchvision's
// RandomResizedCrop): a patch covering a random fraction s ∈ [0.08, 1] of the image area with
// aspect ratio r (log-uniform in [3/4, 4/3]), resized (bilinear) to the output size. Up to 10
// draws are tried; if no patch fits, the central patch of the image's own aspect ratio clamped
// to the ratio range is used, as torchvision does.
using Cortex.Data.Images;
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Crops a random area fraction and aspect ratio of the image and resizes it to a fixed size.</summary>
/// <example><code>var crop = new RandomResizedCrop(224, 224);   // scale [0.08, 1], ratio [3/4, 4/3]</code></example>
public sealed class RandomResizedCrop : Transform
{
    /// <summary>A crop resized to <paramref name="height"/>×<paramref name="width"/>.</summary>
    public RandomResizedCrop(int height, int width, double minScale = 0.08, double maxScale = 1.0, double minRatio = 3.0 / 4, double maxRatio = 4.0 / 3)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"RandomResizedCrop: expected an output of at least 1×1, got {height}×{width}.");
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), $"RandomResizedCrop: expected 0 < minScale ≤ maxScale ≤ 1, got [{minScale}, {maxScale}].");
        if (!(minRatio > 0 && minRatio <= maxRatio))
            throw new ArgumentOutOfRangeException(nameof(minRatio), $"RandomResizedCrop: expected 0 < minRatio ≤ maxRatio, got [{minRatio}, {maxRatio}].");
        (Height, Width, MinScale, MaxScale, MinRatio, MaxRatio) = (height, width, minScale, maxScale, minRatio, maxRatio);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Smallest area fraction.</summary>
    public double MinScale { get; }

    /// <summary>Largest area fraction.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest aspect ratio (width / height).</summary>
    public double MinRatio { get; }

    /// <summary>Largest aspect ratio (width / height).</summary>
    public double MaxRatio { get; }

    /// <inheritdoc/>
    public override string Name => $"RandomResizedCrop({Height}×{Width}, scale [{MinScale:0.##}, {MaxScale:0.##}])";

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input) => input with { Height = Height, Width = Width };

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckSpans(source, size, destination, OutputSize(size));
        int h = size.Height, w = size.Width;
        double area = (double)h * w;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinScale + (MaxScale - MinScale) * random.NextDouble());
            double ratio = Math.Exp(Math.Log(MinRatio) + (Math.Log(MaxRatio) - Math.Log(MinRatio)) * random.NextDouble());
            int cw = (int)Math.Round(Math.Sqrt(target * ratio));
            int ch = (int)Math.Round(Math.Sqrt(target / ratio));
            if (cw >= 1 && ch >= 1 && cw <= w && ch <= h)
            {
                int top = random.NextInt(h - ch + 1), left = random.NextInt(w - cw + 1);
                ImageResize.BilinearRegion(source, size, top, left, ch, cw, destination, Height, Width);
                return;
            }
        }
        // Fallback: a central crop with the aspect ratio clamped into range.
        double own = (double)w / h;
        int fh = h, fw = w;
        if (own < MinRatio)
            fh = (int)Math.Round(w / MinRatio);
        else if (own > MaxRatio)
            fw = (int)Math.Round(h * MaxRatio);
        ImageResize.BilinearRegion(source, size, (h - fh) / 2, (w - fw) / 2, fh, fw, destination, Height, Width);
    }
}
