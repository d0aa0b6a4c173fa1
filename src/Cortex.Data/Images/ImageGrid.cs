// ImageGrid.cs — tiles equally sized (C, H, W) images into one picture, row by row, with a gap
// between tiles, each enlarged by an integer factor (nearest neighbour, so pixels stay crisp):
// the contact sheet `cortex augment --preview` writes.
namespace Cortex.Data.Images;

/// <summary>Lays out images in a grid.</summary>
/// <example><code>
/// var (pixels, size) = ImageGrid.Tile(views, new ImageSize(3, 32, 32), columns: 4, scale: 3);
/// PngFile.Save("preview.png", pixels, size);
/// </code></example>
public static class ImageGrid
{
    /// <summary>
    /// Tiles <paramref name="images"/> (each of <paramref name="size"/>) into <paramref name="columns"/> columns, each enlarged
    /// <paramref name="scale"/> times, separated by <paramref name="gap"/> pixels of <paramref name="background"/>.
    /// </summary>
    public static (float[] Pixels, ImageSize Size) Tile(IReadOnlyList<float[]> images, ImageSize size, int columns, int scale = 1, int gap = 2, float background = 1f)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
            throw new ArgumentException("ImageGrid: expected at least one image, got none.", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        int th = size.Height * scale, tw = size.Width * scale;
        var grid = new ImageSize(size.Channels, rows * th + (rows + 1) * gap, columns * tw + (columns + 1) * gap);
        var pixels = new float[grid.Length];
        Array.Fill(pixels, background);
        for (int k = 0; k < images.Count; k++)
        {
            var image = images[k];
            if (image.Length != size.Length)
                throw new ArgumentException($"ImageGrid: expected images of {size} = {size.Length} floats, got {image.Length} at {k}.", nameof(images));
            int top = gap + k / columns * (th + gap), left = gap + k % columns * (tw + gap);
            for (int c = 0; c < size.Channels; c++)
                for (int i = 0; i < th; i++)
                    for (int j = 0; j < tw; j++)
                        pixels[(c * grid.Height + top + i) * grid.Width + left + j] = image[(c * size.Height + i / scale) * size.Width + j / scale];
        }
        return (pixels, grid);
    }
}
