// PngWriter.cs — a small PNG encoder (8-bit grey, RGB or RGBA, no interlacing), so Cortex can write
// pictures (filter grids, augmentation previews) without a native imaging library.
//
// File layout (PNG spec, ISO/IEC 15948): signature, IHDR, one IDAT (zlib stream of the rows, each
// prefixed by filter type 0 = None), IEND; every chunk carries a CRC-32 of its type and data.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Cortex.Serialization;

namespace Cortex.Visualization;

/// <summary>Writes 8-bit images as PNG.</summary>
/// <example><code>PngWriter.Write("grid.png", pixels, width: 64, height: 32, channels: 3);</code></example>
public static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes <paramref name="pixels"/> (row-major, <paramref name="channels"/> bytes per pixel: 1 grey, 3 RGB, 4 RGBA) atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        byte[] bytes = Encode(pixels, width, height, channels);
        AtomicWrite.Stream(path, s => s.Write(bytes));
    }

    /// <summary>The PNG file for <paramref name="pixels"/> as bytes.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"PngWriter: expected a positive size, got {width}×{height}.");
        byte colorType = channels switch
        {
            1 => 0,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), $"PngWriter: expected 1, 3 or 4 channels, got {channels}."),
        };
        int stride = width * channels;
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"PngWriter: a {width}×{height}×{channels} image needs {(long)stride * height} bytes, got {pixels.Length}.", nameof(pixels));

        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;            // bit depth
        header[9] = colorType;    // compression, filter and interlace methods stay 0
        WriteChunk(file, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);                                  // filter: None
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }
        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        stream.Write(four);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(four, crc);
        stream.Write(four);
    }

    // CRC-32 (ISO 3309 polynomial 0xEDB88320, reflected), table-driven, as the PNG spec's annex D.
    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
