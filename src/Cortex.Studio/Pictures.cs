// Pictures.cs — how Studio turns tensors into what the page draws: tiles of bytes (one tile per
// channel of an activation, per input channel of a filter) and histograms. Each tile is scaled
// by its own range to 0…255, as ConvNetJS draws its activations, so a faint map is still visible;
// the range is sent along so the page can say what white and black mean.
//
//   tiles:  data = base64(count × channels × height × width bytes), tile-major, row-major inside
//   histogram:  counts over `bins` equal bins between min and max
using System.Text.Json.Serialization;

namespace Cortex.Studio;

/// <summary>A grid of small images: <c>Count</c> tiles of <c>Channels</c>×<c>Height</c>×<c>Width</c> bytes, base64.</summary>
public sealed record TileSet(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("min")] float Min,
    [property: JsonPropertyName("max")] float Max,
    [property: JsonPropertyName("data")] string Data);

/// <summary>Counts of values in equal bins between <c>Min</c> and <c>Max</c>.</summary>
public sealed record Histogram(
    [property: JsonPropertyName("min")] float Min,
    [property: JsonPropertyName("max")] float Max,
    [property: JsonPropertyName("counts")] int[] Counts);

/// <summary>Encodes tensors for the page.</summary>
public static class Pictures
{
    /// <summary>
    /// <paramref name="count"/> tiles of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>
    /// values taken in order from <paramref name="values"/>, each tile scaled by its own range (at most
    /// <paramref name="maxTiles"/>; <c>Total</c> keeps the full count).
    /// </summary>
    public static TileSet Tiles(ReadOnlySpan<float> values, int count, int channels, int height, int width, int maxTiles = 64)
    {
        int tile = channels * height * width;
        if (count < 0 || tile <= 0 || (long)count * tile > values.Length)
            throw new ArgumentException($"Pictures.Tiles: {count} tiles of {channels}×{height}×{width} need {(long)count * tile} values, got {values.Length}.", nameof(values));
        int shown = Math.Min(count, maxTiles);
        var bytes = new byte[shown * tile];
        float globalMin = float.PositiveInfinity, globalMax = float.NegativeInfinity;
        for (int t = 0; t < shown; t++)
        {
            var source = values.Slice(t * tile, tile);
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in source)
            {
                if (!float.IsFinite(v))
                    continue;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            globalMin = Math.Min(globalMin, min);
            globalMax = Math.Max(globalMax, max);
            float scale = max > min ? 255f / (max - min) : 0f;
            var target = bytes.AsSpan(t * tile, tile);
            for (int i = 0; i < tile; i++)
            {
                float v = source[i];
                target[i] = float.IsFinite(v) && scale > 0 ? (byte)Math.Clamp((v - min) * scale + 0.5f, 0f, 255f) : (byte)0;
            }
        }
        if (shown == 0 || float.IsInfinity(globalMin))
            (globalMin, globalMax) = (0f, 0f);
        return new TileSet(shown, channels, height, width, count, globalMin, globalMax, Convert.ToBase64String(bytes));
    }

    /// <summary>
    /// An image of (C, H, W) values in [0, 1] (or any range, when <paramref name="stretch"/>) as one tile of C channels,
    /// for the test-prediction grid and the input.
    /// </summary>
    public static TileSet Image(ReadOnlySpan<float> chw, int channels, int height, int width, bool stretch = true)
    {
        if (stretch)
            return Tiles(chw, 1, channels, height, width);
        var bytes = new byte[channels * height * width];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)Math.Clamp(chw[i] * 255f + 0.5f, 0f, 255f);
        return new TileSet(1, channels, height, width, 1, 0f, 1f, Convert.ToBase64String(bytes));
    }

    /// <summary>The histogram of the finite values of <paramref name="values"/> in <paramref name="bins"/> bins.</summary>
    public static Histogram Histogram(ReadOnlySpan<float> values, int bins = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var counts = new int[bins];
        if (float.IsInfinity(min))
            return new Histogram(0f, 0f, counts);
        double width = max > min ? (max - (double)min) / bins : 1.0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                continue;
            int b = (int)((v - (double)min) / width);
            counts[Math.Clamp(b, 0, bins - 1)]++;
        }
        return new Histogram(min, max, counts);
    }
}
