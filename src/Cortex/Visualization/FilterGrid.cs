// FilterGrid.cs — draws convolution filters (FN, C, KH, KW) as a grid of small images, the way the
// lectures show first-layer filters before and after training.
//
// Each filter is scaled on its own to [0, 255] (min → black, max → white), so its pattern shows
// whatever its magnitude. One input channel → grey; three → RGB; any other count → the channels'
// mean in grey. Filters are enlarged by nearest-neighbour `scale` and separated by a border.
using Cortex.Tensors;

namespace Cortex.Visualization;

/// <summary>An 8-bit picture: row-major pixels with <see cref="Channels"/> bytes each.</summary>
public sealed record Picture(byte[] Pixels, int Width, int Height, int Channels)
{
    /// <summary>Saves the picture as PNG.</summary>
    public void SavePng(string path) => PngWriter.Write(path, Pixels, Width, Height, Channels);
}

/// <summary>Lays out convolution filters as a picture.</summary>
public static class FilterGrid
{
    /// <summary>The largest picture rendered: 2^26 pixels (an 8192×8192 grid; 192 MiB as RGB).</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Renders <paramref name="weights"/> (FN, C, KH, KW) into a grid <paramref name="columns"/> wide (default: about square).</summary>
    public static Picture Render(Tensor weights, int scale = 8, int border = 2, int? columns = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rank != 4)
            throw new ArgumentException($"FilterGrid: expected filters (FN, C, KH, KW), got {weights.Shape}.", nameof(weights));
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(border);
        int fn = weights.Shape[0], c = weights.Shape[1], kh = weights.Shape[2], kw = weights.Shape[3];
        int channels = c == 3 ? 3 : 1;
        int cols = columns ?? (int)Math.Ceiling(Math.Sqrt(fn));
        int rows = (fn + cols - 1) / cols;
        long wide = (long)cols * kw * scale + (cols + 1L) * border, high = (long)rows * kh * scale + (rows + 1L) * border;
        if (wide * high > MaxPixels)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"FilterGrid: {fn} filters of {kh}×{kw} at scale {scale} make a {wide:N0}×{high:N0} picture, more than the {MaxPixels:N0}-pixel limit. Use a smaller scale."), nameof(scale));
        int cellW = kw * scale, cellH = kh * scale;
        int width = (int)wide, height = (int)high;
        var pixels = new byte[width * height * channels];
        Array.Fill(pixels, (byte)64);                           // dark grey borders

        var w = weights.Span;
        int filterSize = c * kh * kw;
        var shown = new float[channels * kh * kw];              // the values drawn, (channels, KH, KW)
        for (int f = 0; f < fn; f++)
        {
            var filter = w.Slice(f * filterSize, filterSize);
            if (channels == 3)
            {
                filter.CopyTo(shown);
            }
            else
            {
                Array.Clear(shown);
                for (int k = 0; k < c; k++)
                {
                    for (int i = 0; i < kh * kw; i++)
                        shown[i] += filter[k * kh * kw + i] / c;
                }
            }
            float min = shown.Min(), max = shown.Max();
            float range = max > min ? max - min : 1f;
            int x0 = border + (f % cols) * (cellW + border), y0 = border + (f / cols) * (cellH + border);
            for (int ch = 0; ch < channels; ch++)
            {
                for (int y = 0; y < kh; y++)
                {
                    for (int x = 0; x < kw; x++)
                    {
                        byte level = (byte)Math.Clamp((int)MathF.Round((shown[(ch * kh + y) * kw + x] - min) / range * 255f), 0, 255);
                        for (int dy = 0; dy < scale; dy++)
                        {
                            for (int dx = 0; dx < scale; dx++)
                                pixels[((y0 + y * scale + dy) * width + x0 + x * scale + dx) * channels + ch] = level;
                        }
                    }
                }
            }
        }
        return new Picture(pixels, width, height, channels);
    }
}
