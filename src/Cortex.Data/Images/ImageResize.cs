// ImageResize.cs — bilinear resampling of (C, H, W) float images, and of a rectangle of one
// (the sampler behind Resize, CenterCrop-after-resize and the random-resized-crop transforms).
//
// Convention: half-pixel centres ("align_corners = false"), as OpenCV's INTER_LINEAR, PyTorch's
// interpolate(mode='bilinear') and TensorFlow's tf.image.resize (which Keras'
// image_dataset_from_directory uses). Output pixel (y, x) samples the source at
//   sy = y0 + (y + 0.5)·(h / H) − 0.5,   sx = x0 + (x + 0.5)·(w / W) − 0.5
// for a source rectangle (y0, x0, h, w) and an output of H×W, clamping reads to the image
// (replicate the edge). There is no anti-aliasing: a strong downscale (say 500 → 150) samples
// rather than averages, exactly like those libraries' defaults.
namespace Cortex.Data.Images;

/// <summary>Bilinear resampling of (C, H, W) float images.</summary>
/// <example><code>
/// var small = new float[3 * 150 * 150];
/// ImageResize.Bilinear(pixels, new ImageSize(3, 375, 500), small, 150, 150);
/// </code></example>
public static class ImageResize
{
    /// <summary>Resizes the whole <paramref name="source"/> image to <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static void Bilinear(ReadOnlySpan<float> source, ImageSize size, Span<float> destination, int height, int width) =>
        BilinearRegion(source, size, 0, 0, size.Height, size.Width, destination, height, width);

    /// <summary>
    /// Resamples the rectangle at (<paramref name="top"/>, <paramref name="left"/>) of
    /// <paramref name="regionHeight"/>×<paramref name="regionWidth"/> source pixels (fractional and partly
    /// outside allowed; reads clamp to the edge) into a <paramref name="height"/>×<paramref name="width"/> output.
    /// </summary>
    public static void BilinearRegion(
        ReadOnlySpan<float> source, ImageSize size, double top, double left, double regionHeight, double regionWidth,
        Span<float> destination, int height, int width)
    {
        if (source.Length < size.Length)
            throw new ArgumentException($"ImageResize: expected a source of {size} = {size.Length} floats, got {source.Length}.", nameof(source));
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"ImageResize: expected an output of at least 1×1, got {height}×{width}.");
        if (destination.Length < size.Channels * height * width)
            throw new ArgumentException(
                $"ImageResize: expected a destination of {size.Channels}×{height}×{width} = {size.Channels * height * width} floats, got {destination.Length}.",
                nameof(destination));
        if (!(regionHeight > 0 && regionWidth > 0))
            throw new ArgumentOutOfRangeException(nameof(regionHeight), $"ImageResize: expected a non-empty source region, got {regionHeight}×{regionWidth}.");

        double scaleY = regionHeight / height, scaleX = regionWidth / width;
        int h = size.Height, w = size.Width;
        // Column taps are the same for every row and channel: x0, x1 and the weight of x1.
        Span<int> x0s = width <= 1024 ? stackalloc int[width] : new int[width];
        Span<int> x1s = width <= 1024 ? stackalloc int[width] : new int[width];
        Span<float> wxs = width <= 1024 ? stackalloc float[width] : new float[width];
        for (int x = 0; x < width; x++)
        {
            double sx = left + (x + 0.5) * scaleX - 0.5;
            int ix = (int)Math.Floor(sx);
            wxs[x] = (float)(sx - ix);
            x0s[x] = Math.Clamp(ix, 0, w - 1);
            x1s[x] = Math.Clamp(ix + 1, 0, w - 1);
        }
        for (int y = 0; y < height; y++)
        {
            double sy = top + (y + 0.5) * scaleY - 0.5;
            int iy = (int)Math.Floor(sy);
            float wy = (float)(sy - iy);
            int y0 = Math.Clamp(iy, 0, h - 1), y1 = Math.Clamp(iy + 1, 0, h - 1);
            for (int c = 0; c < size.Channels; c++)
            {
                var plane = source.Slice(c * h * w, h * w);
                var row0 = plane.Slice(y0 * w, w);
                var row1 = plane.Slice(y1 * w, w);
                var output = destination.Slice((c * height + y) * width, width);
                for (int x = 0; x < width; x++)
                {
                    // v = (1−wy)·((1−wx)·p00 + wx·p01) + wy·((1−wx)·p10 + wx·p11)
                    float wx = wxs[x];
                    float top0 = row0[x0s[x]] + wx * (row0[x1s[x]] - row0[x0s[x]]);
                    float bottom = row1[x0s[x]] + wx * (row1[x1s[x]] - row1[x0s[x]]);
                    output[x] = top0 + wy * (bottom - top0);
                }
            }
        }
    }
}
