// FillMode.cs — what a geometric transform reads where its inverse mapping falls outside the
// image, with Keras ImageDataGenerator's (scipy.ndimage's) names. For a row "abcd":
//   Nearest    aaaaaaaa|abcd|dddddddd
//   Constant   kkkkkkkk|abcd|kkkkkkkk   (k = the fill value, 0 by default)
//   Reflect    abcddcba|abcd|dcbaabcd   (mirror including the edge pixel)
//   Wrap       abcdabcd|abcd|abcdabcd
namespace Cortex.Data.Transforms;

/// <summary>How pixels outside the image are filled by geometric transforms (Keras' <c>fill_mode</c>).</summary>
public enum FillMode
{
    /// <summary>Repeat the nearest edge pixel (Keras' default).</summary>
    Nearest,

    /// <summary>A constant value (Keras' <c>cval</c>; 0 unless given).</summary>
    Constant,

    /// <summary>Mirror the image at its edge, edge pixel included.</summary>
    Reflect,

    /// <summary>Tile the image periodically.</summary>
    Wrap,
}

/// <summary>Index arithmetic for <see cref="FillMode"/>.</summary>
public static class FillModes
{
    /// <summary>
    /// The in-range index that <paramref name="i"/> reads from in a row of <paramref name="n"/> pixels, or −1 for
    /// <see cref="FillMode.Constant"/> outside the row.
    /// </summary>
    public static int Map(int i, int n, FillMode mode)
    {
        if ((uint)i < (uint)n)
            return i;
        switch (mode)
        {
            case FillMode.Nearest:
                return i < 0 ? 0 : n - 1;
            case FillMode.Reflect:
                {
                    int period = 2 * n;
                    int m = ((i % period) + period) % period;      // abcd dcba abcd …
                    return m < n ? m : period - 1 - m;
                }
            case FillMode.Wrap:
                return ((i % n) + n) % n;
            default:
                return -1;
        }
    }

    /// <summary>Parses <c>nearest</c>, <c>constant</c>, <c>reflect</c> or <c>wrap</c> (case-insensitive).</summary>
    public static FillMode Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "nearest" or "edge" or "replicate" => FillMode.Nearest,
        "constant" or "zero" or "zeros" => FillMode.Constant,
        "reflect" or "mirror" or "symmetric" => FillMode.Reflect,
        "wrap" or "periodic" => FillMode.Wrap,
        _ => throw new ArgumentException($"FillMode: expected nearest, constant, reflect or wrap, got '{text}'.", nameof(text)),
    };
}
