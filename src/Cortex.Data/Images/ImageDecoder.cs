// ImageDecoder.cs — PNG, JPEG, BMP, GIF (first frame), TGA and PSD files to float (C, H, W) in
// [0, 1], through StbImageSharp (a managed port of stb_image: no native code).
//
// Channels: the file's own channel count unless one is asked for. Alpha is dropped (not
// composited). Colour → grey uses the ITU-R BT.601 luma weights Y = 0.299 R + 0.587 G + 0.114 B
// (what PIL's convert('L') does); grey → colour repeats the plane. 16-bit files come out 8-bit.
using StbImageSharp;

namespace Cortex.Data.Images;

/// <summary>Decodes image files into float (C, H, W) pixels in [0, 1].</summary>
/// <example><code>
/// DecodedImage cat = ImageDecoder.Load("train/cats/cat.1.jpg", channels: 3);   // cat.Size == 3×374×500
/// </code></example>
public static class ImageDecoder
{
    /// <summary>The file extensions an image folder reads (lower case, with the dot).</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".psd" };

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">1 (grey) or 3 (RGB) to convert to; null keeps the file's own (1 for grey, else 3).</param>
    /// <exception cref="InvalidDataException">The file is not an image this decoder reads, or is corrupt; the message names it.</exception>
    public static DecodedImage Load(string path, int? channels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path), channels, path);
    }

    /// <summary>Decodes the image file held in <paramref name="bytes"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image this decoder reads, or are corrupt.</exception>
    public static DecodedImage Decode(byte[] bytes, int? channels = null, string name = "image")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"ImageDecoder: expected 1 or 3 channels (or null), got {channels}.");
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes, ColorComponents.Default);
        }
#pragma warning disable CA1031 // stb_image reports every kind of bad input with a plain Exception
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new InvalidDataException($"ImageDecoder: {name}: not a readable image ({e.Message}).", e);
        }
        if (image is null || image.Data is null || image.Width < 1 || image.Height < 1)
            throw new InvalidDataException($"ImageDecoder: {name}: not a readable image (the decoder returned nothing).");

        int stored = (int)image.Comp;                    // interleaved components per pixel: 1, 2, 3 or 4
        int natural = stored <= 2 ? 1 : 3;
        int c = channels ?? natural;
        int h = image.Height, w = image.Width, plane = h * w;
        if ((long)plane * stored > image.Data.Length)
            throw new InvalidDataException($"ImageDecoder: {name}: expected {plane * stored} bytes of pixels, got {image.Data.Length}.");
        var pixels = new float[c * plane];
        ReadOnlySpan<byte> data = image.Data;
        const float Scale = 1f / 255f;
        for (int p = 0; p < plane; p++)
        {
            var px = data.Slice(p * stored, stored);
            if (natural == 1)
            {
                float v = px[0] * Scale;
                for (int k = 0; k < c; k++)
                    pixels[k * plane + p] = v;
            }
            else if (c == 3)
            {
                pixels[p] = px[0] * Scale;
                pixels[plane + p] = px[1] * Scale;
                pixels[2 * plane + p] = px[2] * Scale;
            }
            else
            {
                pixels[p] = (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * Scale; // BT.601 luma
            }
        }
        return new DecodedImage(pixels, new ImageSize(c, h, w));
    }
}
