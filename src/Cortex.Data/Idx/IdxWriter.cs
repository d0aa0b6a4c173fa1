// IdxWriter.cs — writes an IdxArray as an IDX file, raw or gzip-compressed.
//
// Same layout IdxReader reads: 00 00 08 <rank>, big-endian uint32 sizes, then the bytes.
// Files are written atomically (temporary file, then rename), so an existing file is never
// left half-overwritten. Used by tests and for converting data into the MNIST layout.
using System.Buffers.Binary;
using System.IO.Compression;
using Cortex.Serialization;

namespace Cortex.Data.Idx;

/// <summary>Writes <see cref="IdxArray"/> values as IDX files.</summary>
/// <example><code>
/// IdxWriter.Write("train-labels-idx1-ubyte.gz", new IdxArray([3], [7, 2, 1])); // gzip: the name ends in .gz
/// </code></example>
public static class IdxWriter
{
    /// <summary>
    /// Writes <paramref name="array"/> to <paramref name="path"/>, gzip-compressed when <paramref name="gzip"/> is true
    /// (by default: when the path ends in <c>.gz</c>).
    /// </summary>
    public static void Write(string path, IdxArray array, bool? gzip = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(array);
        bool compress = gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicWrite.Stream(path, stream =>
        {
            if (compress)
            {
                using var deflated = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                Write(deflated, array);
            }
            else
            {
                Write(stream, array);
            }
        });
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="stream"/>, uncompressed.</summary>
    public static void Write(Stream stream, IdxArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        var header = new byte[4 + 4 * array.Rank];
        header[2] = IdxArray.UnsignedByte;
        header[3] = (byte)array.Rank;
        for (int i = 0; i < array.Rank; i++)
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), (uint)array.Dimensions[i]);
        stream.Write(header);
        stream.Write(array.Data);
    }
}
