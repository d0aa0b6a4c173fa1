// ImageDecoder.cs — PNG, JPEG, BMP, GIF (first frame), TGA and PSD files to float (C, H, W) in
// [0, 1], through StbImageSharp (a managed port of stb_image: no native code).
//
// Channels: the file's own channel count unless one is asked for. Alpha is dropped (not
// composited). Colour → grey uses the ITU-R BT.601 luma weights Y = 0.299 R + 0.587 G + 0.114 B
// (what PIL's convert('L') does); grey → colour repeats the plane. 16-bit files come out 8-bit.
//
// Bounded: the width and height are read from the file's header (stb_image's info pass, which
// allocates nothing per pixel) and checked against maxPixels before the pixels are decoded, so a
// 389 KB PNG that declares 20000×20000 is refused instead of decoded into 1.6 GB and then 4.8 GB.
// Before that, PNG chunk and JPEG segment lengths are checked against the file (ImageStructure).
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

    /// <summary>Default cap on width × height: 2^25 pixels (33.5 M, an 8192×4096 picture; 134 MB as RGBA bytes, 403 MB as RGB floats).</summary>
    public const long DefaultMaxPixels = 1L << 25;

    /// <summary>Largest image file read: 256 MiB.</summary>
    public const long MaxFileBytes = 1L << 28;

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="channels">1 (grey) or 3 (RGB) to convert to; null keeps the file's own (1 for grey, else 3).</param>
    /// <param name="maxPixels">The largest width × height accepted; checked from the header before decoding.</param>
    /// <exception cref="InvalidDataException">The file is not an image this decoder reads, is corrupt or too large; the message names it.</exception>
    public static DecodedImage Load(string path, int? channels = null, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new InvalidDataException($"ImageDecoder: {path}: the file is {length} bytes, more than the {MaxFileBytes}-byte limit for one image.");
        return Decode(File.ReadAllBytes(path), channels, path, maxPixels);
    }

    /// <summary>Decodes the image file held in <paramref name="bytes"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image this decoder reads, are corrupt, or declare more than <paramref name="maxPixels"/> pixels.</exception>
    public static DecodedImage Decode(byte[] bytes, int? channels = null, string name = "image", long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), $"ImageDecoder: expected 1 or 3 channels (or null), got {channels}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        ImageStructure.Check(bytes, name);               // PNG chunk and JPEG segment lengths within the file
        CheckDimensions(bytes, name, maxPixels);
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

    /// <summary>
    /// The width and height the header of <paramref name="bytes"/> declares, or null when the decoder does not
    /// recognise it (the full decode then reports why).
    /// </summary>
    public static (int Width, int Height)? ReadDimensions(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return ImageInfo.FromStream(stream) is { } info ? (info.Width, info.Height) : null;
        }
#pragma warning disable CA1031 // stb_image reports every kind of bad input with a plain Exception
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static void CheckDimensions(byte[] bytes, string name, long maxPixels)
    {
        if (ReadDimensions(bytes) is not var (w, h))
            return;
        if (w < 1 || h < 1)
            throw new InvalidDataException($"ImageDecoder: {name}: not a readable image (its header declares {w}×{h}).");
        if ((long)w * h > maxPixels)
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"ImageDecoder: {name}: the image declares {w}×{h} = {(long)w * h:N0} pixels, above the limit of {maxPixels:N0}; refused before decoding. ") +
                "If it is genuine, raise the limit (--max-image-pixels on the command line, ImageFolderOptions.MaxPixels in code).");
    }
}
