// PngFile.cs — writes float (C, H, W) images in [0, 1] as 8-bit PNG (grey for C = 1, RGB for C = 3),
// through Cortex's own PNG encoder (Cortex.Visualization.PngWriter). Values outside [0, 1] are clamped; v → round(255·v).
// The file appears whole or not at all (written beside it, then moved into place).
using Cortex.Serialization;
using Cortex.Visualization;

namespace Cortex.Data.Images;

/// <summary>Saves float images as PNG files.</summary>
/// <example><code>
/// PngFile.Save("preview.png", image.Span, new ImageSize(3, 32, 32));
/// </code></example>
public static class PngFile
{
    /// <summary>Writes <paramref name="pixels"/> ((C, H, W), C = 1 or 3, values in [0, 1]) to <paramref name="path"/>.</summary>
    public static void Save(string path, ReadOnlySpan<float> pixels, ImageSize size)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Encode(pixels, size);
        AtomicWrite.Stream(path, stream => stream.Write(bytes));
    }

    /// <summary>The PNG file bytes for <paramref name="pixels"/> ((C, H, W), C = 1 or 3, values in [0, 1]).</summary>
    public static byte[] Encode(ReadOnlySpan<float> pixels, ImageSize size)
    {
        if (size.Channels is not (1 or 3))
            throw new ArgumentException($"PngFile: expected 1 or 3 channels, got {size.Channels}. Write each channel as a grey image.", nameof(size));
        if (size.Height < 1 || size.Width < 1)
            throw new ArgumentException($"PngFile: expected at least 1×1 pixels, got {size}.", nameof(size));
        if (pixels.Length != size.Length)
            throw new ArgumentException($"PngFile: expected {size} = {size.Length} floats, got {pixels.Length}.", nameof(pixels));
        int plane = size.PlaneLength, c = size.Channels;
        var interleaved = new byte[plane * c];
        for (int p = 0; p < plane; p++)
        {
            for (int k = 0; k < c; k++)
            {
                float v = pixels[k * plane + p];
                interleaved[p * c + k] = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f); // NaN → 0
            }
        }
        return PngWriter.Encode(interleaved, size.Width, size.Height, c);
    }
}
