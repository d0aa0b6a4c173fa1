// ScaleAugmentation.cs — ResNet's "random crops/scales" (He et al. 2016, §3.4, after Simonyan &
// Zisserman 2015): pick L uniformly in [minSide, maxSide], resize the image so its shorter side is
// L, and take a random cropHeight×cropWidth patch (ImageNet: L ∈ [256, 480], 224×224).
//
// The resized image is never built: for a resized size RH×RW (scale sy = RH/H, sx = RW/W) and a
// patch at (oy, ox), output pixel (i, j) is the bilinear sample of x at
//   ((oy + i + 0.5)/sy − 0.5, (ox + j + 0.5)/sx − 0.5),
// exactly the pixel resize-then-crop would give (ImageResize's half-pixel convention). Should the
// resized image be smaller than the patch along a side (a non-square patch on a short side),
// that side is stretched to the patch.
using Cortex.Data.Images;
using Cortex.Tensors;

namespace Cortex.Data.Transforms;

/// <summary>Resize the shorter side to a random length in [min, max], then crop a random patch.</summary>
/// <example><code>
/// var resnet = new ScaleAugmentation(256, 480, 224, 224);              // the paper's ImageNet setting
/// var small = new ScaleAugmentation(36, 68, 32, 32);                  // the same ratios for 32×32 images
/// </code></example>
public sealed class ScaleAugmentation : Transform
{
    /// <summary>Short side L uniform in [<paramref name="minSide"/>, <paramref name="maxSide"/>], then a <paramref name="cropHeight"/>×<paramref name="cropWidth"/> patch.</summary>
    public ScaleAugmentation(int minSide, int maxSide, int cropHeight, int cropWidth)
    {
        if (cropHeight < 1 || cropWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(cropHeight), $"ScaleAugmentation: expected a crop of at least 1×1, got {cropHeight}×{cropWidth}.");
        if (minSide < Math.Min(cropHeight, cropWidth) || maxSide < minSide)
            throw new ArgumentOutOfRangeException(nameof(minSide),
                $"ScaleAugmentation: expected {Math.Min(cropHeight, cropWidth)} ≤ minSide ≤ maxSide (the patch must fit), got [{minSide}, {maxSide}].");
        (MinSide, MaxSide, CropHeight, CropWidth) = (minSide, maxSide, cropHeight, cropWidth);
    }

    /// <summary>Smallest short-side length.</summary>
    public int MinSide { get; }

    /// <summary>Largest short-side length.</summary>
    public int MaxSide { get; }

    /// <summary>Patch height.</summary>
    public int CropHeight { get; }

    /// <summary>Patch width.</summary>
    public int CropWidth { get; }

    /// <inheritdoc/>
    public override string Name => $"ScaleAugmentation(L∈[{MinSide},{MaxSide}], crop {CropHeight}×{CropWidth})";

    /// <inheritdoc/>
    public override ImageSize OutputSize(ImageSize input) => input with { Height = CropHeight, Width = CropWidth };

    /// <inheritdoc/>
    public override void Apply(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, CortexRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var output = OutputSize(size);
        CheckSpans(source, size, destination, output);
        int side = random.NextInt(MinSide, MaxSide + 1);
        double scale = (double)side / Math.Min(size.Height, size.Width);
        int resizedHeight = Math.Max(CropHeight, (int)Math.Round(size.Height * scale));
        int resizedWidth = Math.Max(CropWidth, (int)Math.Round(size.Width * scale));
        int oy = random.NextInt(resizedHeight - CropHeight + 1);
        int ox = random.NextInt(resizedWidth - CropWidth + 1);
        double sy = (double)resizedHeight / size.Height, sx = (double)resizedWidth / size.Width;
        ImageResize.BilinearRegion(source, size, oy / sy, ox / sx, CropHeight / sy, CropWidth / sx, destination, CropHeight, CropWidth);
    }
}
